"""Declarative base, naming convention and shared column types."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, ClassVar

from sqlalchemy import BigInteger, DateTime, MetaData, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Stable constraint names, so alembic revisions name constraints the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


intpk = Annotated[int, mapped_column(primary_key=True)]
# Money is an integer count of the currency's smallest unit; never a float.
money = Annotated[int, mapped_column(BigInteger)]
str40 = Annotated[str, mapped_column(String(40))]
str200 = Annotated[str, mapped_column(String(200))]
text = Annotated[str, mapped_column(Text, default="")]
created = Annotated[dt.datetime, mapped_column(DateTime, default=utcnow)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model names its table (``__tablename__``), so declarative makes it a Table;
        # SQLAlchemy types ``__table__`` as any FromClause (a model may map a join or a select).
        __table__: ClassVar[Table]
