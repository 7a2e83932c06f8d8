"""Reads from a read replica, when one is configured (DB_REPLICA_HOST; off by default): the step
past one database in docs/scaling.md. What must not read a replica reads the primary:

- anything inside a transaction (the redemption reads and locks what it writes);
- anything later in a request that wrote (the balance right after an award, the order page right
  after the redemption): a replica may lag behind the commit;
- the tables whose every read must be current: sessions and the throttle counters' cache.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PRIMARY_ONLY_APPS = {"sessions", "django_cache", "axes"}
# Set once this request (or management command) committed a write; the request log resets it.
wrote_var: ContextVar[bool] = ContextVar("wrote", default=False)


class ReadReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if REPLICA not in settings.DATABASES:
            return None
        if wrote_var.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
