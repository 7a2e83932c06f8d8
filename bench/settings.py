"""Benchmark settings: production settings plus the floor view (never in the real URL conf)."""

from awsomeshop.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
