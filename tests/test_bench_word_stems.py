"""The stems benchmark times the batch scorer's trained-model path of the active hostility model
and of a copy that reads Swedish and Arabic as stems, on the same batches."""

from __future__ import annotations

from conftest import load_bench, shared_data

from barometer.nlp.stems import stem_word


def test_bench_times_the_model_and_its_stemmed_copy(capsys) -> None:  # type: ignore[no-untyped-def]
    bench = load_bench("bench_word_stems")
    results = bench.main(
        ["--posts", "400", "--batch", "200", "--repeats", "1", "--shared", str(shared_data())]
    )
    assert len(results) == 2
    (base, *_), (stemmed, *_) = results.values()
    for rates in (base, stemmed):
        assert set(rates) == {"read", "hash", "model", "path"}
        assert all(rate > 0 for rate in rates.values())
        assert rates["path"] < min(rates["read"], rates["hash"], rates["model"])
    out = capsys.readouterr().out
    assert "+stems ar,sv" in out and "peak RSS" in out
    assert "cold stems, ar" in out and "cold stems, sv" in out
    assert "in 3,353 real texts" in out  # every one of MLMA's 3,353 Arabic tweets
    # the copy differs from the model in what it reads, nothing else
    models = bench._models(["sv"], [])
    plain, copy = models.values()
    assert copy.stem_words(["grannarna"], ["sv"]) == [stem_word("grannarna", "sv")] == ["grann"]
    assert plain.stem_words(["grannarna"], ["sv"]) == ["grannarna"]
    assert copy.vocabulary_ == plain.vocabulary_ and plain.word_stems == ()
