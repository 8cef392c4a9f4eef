"""Annotation by a city team: which posts to label, and how far the annotators agree.

:mod:`.sampling` chooses posts (uncertainty plus stratified random sampling); agreement
(Krippendorff's alpha, Cohen's kappa) is measured on the labelled file. Labelled files become
training rows in :mod:`barometer.training.annotations`.
"""

from barometer.annotation.sampling import (
    agreement,
    allocate,
    cohen_kappa,
    krippendorff_alpha,
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
