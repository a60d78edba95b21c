"""Errors the pool raises; the gateway maps them to HTTP answers."""


class PoolError(RuntimeError):
    """Base class for pool failures."""


class ModelTooLarge(PoolError):
    """The model's estimate exceeds the whole budget of every device it may use."""


class PoolBusy(PoolError):
    """No room could be made in time: every resident model is in use."""


class PoolClosed(PoolError):
    """The pool was shut down."""


class ModelLoadError(PoolError):
    """The loader raised; the message names the model."""
