"""Alembic environment: the URL comes from the ini file's [app:main] (or PBENGINE_DATABASE_URL)."""

from alembic import context

from pbengine.models import Base
from pbengine.settings import load_settings

config = context.config
target_metadata = Base.metadata


def run_migrations_offline():
    settings = load_settings(config.config_file_name)
    context.configure(url=settings["sqlalchemy.url"], target_metadata=target_metadata,
                      render_as_batch=True, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is None:
        from pbengine.models import get_engine

        engine = get_engine(load_settings(config.config_file_name))
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection):
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
