"""The composition layer: job handlers and work that joins modules (OCR then translate), below the routers.

Routers parse HTTP and call one function; a function here calls modules through their public APIs only, takes
its settings from the gateway's settings tree (a JobContext carries it), and knows nothing of HTTP.
"""
