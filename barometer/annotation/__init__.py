"""Annotation by a city team: which posts to label, and how far the annotators agree.

:mod:`.sampling` chooses posts (uncertainty plus stratified random sampling); :mod:`.agreement`
measures agreement on the labelled file (Krippendorff's alpha, Cohen's kappa). Labelled files
become training rows in :mod:`barometer.training.annotations`. This package imports neither
:mod:`barometer.training` nor :mod:`barometer.audit`.
"""

from barometer.annotation.agreement import agreement, cohen_kappa, krippendorff_alpha
from barometer.annotation.sampling import (
    allocate,
    sample_for_annotation,
    uncertainty_from_scores,
)

__all__ = [
    "agreement",
    "allocate",
    "cohen_kappa",
    "krippendorff_alpha",
    "sample_for_annotation",
    "uncertainty_from_scores",
]
