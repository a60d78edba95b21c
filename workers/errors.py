"""Errors the pool raises; the gateway maps them to HTTP answers."""


class PoolError(RuntimeError):
    """Base class for pool failures."""


class ModelTooLarge(PoolError):
    """The model's estimate exceeds the whole budget of every device it may use."""


class PoolBusy(PoolError):
    """No room could be made in time (every resident model is in use), or the queue is overloaded."""

    def __init__(self, message: str, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s  # the gateway's Retry-After


class PoolClosed(PoolError):
    """The pool was shut down."""


class ModelLoadError(PoolError):
    """The loader raised; the message names the model."""
