"""One exception hierarchy for the whole library.

The CLI prints a :class:`BarometerError` as one plain line (no traceback); the app shows it with
``st.error``. Every message says what was expected, what was found and how to fix it.
"""


class BarometerError(Exception):
    """Base class of every error that barometer raises on purpose."""


class ConfigError(BarometerError):
    """A pipeline configuration file is missing, malformed or inconsistent."""


class InputError(BarometerError):
    """An input file cannot be read at all (missing, wrong format, unreadable).

    Row-level problems do not raise: the row goes to quarantine with a reason.
    """


class SchemaError(BarometerError):
    """A data frame does not match the canonical table it claims to be."""


class WarehouseError(BarometerError):
    """The embedded store is missing, locked, or inconsistent."""


class EstimationError(BarometerError):
    """A statistical estimate cannot be computed from the data given (e.g. too few PSUs)."""


class ModelError(BarometerError):
    """A trained model is missing, not registered, or cannot be loaded."""


class ModelIntegrityError(ModelError):
    """A model artefact does not match the SHA-256 hash recorded in its manifest."""


class ActivationRefused(ModelError):
    """A model version has no passing bias audit, so it is not activated without ``force``."""


class FetchError(BarometerError):
    """A live source cannot be fetched (refused credentials, unknown timeline, no answer).

    The message names the source and what to fix; the other live sources are still fetched.
    """


class RateLimited(FetchError):
    """A server asks to wait longer than a run may wait; the next run resumes from the cursor."""

    def __init__(self, message: str, resume_at: float) -> None:
        super().__init__(message)
        self.resume_at = resume_at  # Unix time (seconds) the server names for its reset
