"""Text -> scores: language identification, normalisation, lexicon sentiment, trust statements.

No network and no downloads at run time: lingua ships its language models in the wheel, spaCy is
used only through ``spacy.blank`` and lexicons are read from a local folder.
"""

from barometer.nlp.language import SUPPORTED_LANGUAGES, detect_languages
from barometer.nlp.lexicons import LexiconSentimentScorer, load_lexicon
from barometer.nlp.text import normalise_text, normalise_texts, tokenise
from barometer.nlp.trust import TrustExpressionMatcher

__all__ = [
    "SUPPORTED_LANGUAGES",
    "LexiconSentimentScorer",
    "TrustExpressionMatcher",
    "detect_languages",
    "load_lexicon",
    "normalise_text",
    "normalise_texts",
    "tokenise",
]
