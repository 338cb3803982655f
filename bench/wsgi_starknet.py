"""The WSGI application with starknet-py's client modules imported first: with preload_app, they are
imported once in the gunicorn master instead of in each worker at its first chain request."""

from starknet_py.net import http_client  # noqa: F401
from starknet_py.net.full_node_client import FullNodeClient  # noqa: F401
from starknet_py.utils.typed_data import TypedData  # noqa: F401

from blocra.wsgi import application  # noqa: F401
