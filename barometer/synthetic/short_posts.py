"""Short synthetic posts for benchmarks and tests of the text models (not the sample).

:func:`make_posts` draws posts of 5-25 words from small word lists per language (sv, en, tr, da,
ar), four in ten with a mention, URL, hashtag or emoji, so every scorer's normalisation, hashing
and language paths run. The words carry no planted truth: use the sample municipality
(:func:`barometer.synthetic.generate_sample`) where a known answer is needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WORDS = {
    "sv": "jag du vi inte bra dålig grannar polisen skolan Fittja Alby idiot tack fest buss "
    "invandring kommunen trygg otrygg jättebra hemskt lita på aldrig alltid",
    "en": "i you we not good bad neighbours police school idiot thanks party bus stupid love "
    "hate trust never always community great awful",
    "tr": "ben sen biz değil iyi kötü komşular polis okul aptal teşekkürler parti otobüs güven "
    "asla her zaman harika berbat",
    "da": "jeg du vi ikke god dårlig naboer politiet skolen idiot tak fest bus tillid aldrig "
    "altid fantastisk",
    "ar": "أنا أنت نحن لا جيد سيء الجيران الشرطة المدرسة غبي شكرا حفلة حافلة ثقة أبدا دائما",
}
EXTRAS = ["@user1", "https://t.co/x", "#Botkyrka", "😍", "👍", "!!", "?"]
#: share of the posts per language, in the order of :data:`WORDS`
LANGUAGE_SHARES = (0.5, 0.2, 0.1, 0.1, 0.1)


def make_posts(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` short synthetic posts: columns ``post_id`` (``p0``, ``p1``, ...), ``text``, ``lang``.

    >>> posts = make_posts(3, seed=1)
    >>> posts["post_id"].tolist(), posts["lang"].isin(list(WORDS)).all()
    (['p0', 'p1', 'p2'], np.True_)
    """
    rng = np.random.default_rng(seed)
    langs = rng.choice(list(WORDS), size=n, p=list(LANGUAGE_SHARES))
    lengths = rng.integers(5, 26, size=n)
    texts = []
    for lang, k in zip(langs, lengths, strict=True):
        words = list(rng.choice(WORDS[lang].split(), size=k))
        if rng.random() < 0.4:
            words.insert(int(rng.integers(0, k)), str(rng.choice(EXTRAS)))
        texts.append(" ".join(words))
    return pd.DataFrame({"post_id": [f"p{i}" for i in range(n)], "text": texts, "lang": langs})
