"""issue 12: budget names and descriptions per language; a revision of the organizer texts

Revision ID: 0013_i12_budget_translations
Revises: 0012_i13_auto_phases
Create Date: 2026-12-01 14:00:00

``budget.translations``: the budget's name and description in French and Spanish, like the
process's and the projects' ``translations`` (``{}`` for every existing budget).
``process.texts_revision``: raised whenever an organizer changes a translation, so that the
public pages the app keeps in its memo show the correction (translations are not part of the
configuration fingerprint). Plain ``ADD COLUMN`` / ``DROP COLUMN``, never a batch rebuild of a
table other tables cascade from.
"""

from alembic import op
import sqlalchemy as sa


revision = '0013_i12_budget_translations'
down_revision = '0012_i13_auto_phases'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('budget', sa.Column('translations', sa.JSON(), nullable=False, server_default='{}'))
    op.add_column('process', sa.Column('texts_revision', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    # plain DROP COLUMN: a batch rebuild of budget or process would cascade their ballots away on SQLite
    op.drop_column('process', 'texts_revision')
    op.drop_column('budget', 'translations')
