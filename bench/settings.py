"""Benchmark settings: the production settings plus a bare view to compare against."""

from blocra.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
