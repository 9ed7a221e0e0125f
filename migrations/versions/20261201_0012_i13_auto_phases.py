"""issue 13: a process may move to its next phase automatically at its configured dates

Revision ID: 0012_i13_auto_phases
Revises: 0011_i13_proposals
Create Date: 2026-12-01 14:00:00

``process.auto_phases``: when true, ``pbengine tick`` (run by cron) moves the process to its next
phase once that phase's date has come (services/schedule.py). False for every existing process,
whose phases keep moving only by hand. A plain ``ADD COLUMN`` / ``DROP COLUMN`` (SQLite 3.35 and
later), never a batch rebuild of the process table, which every other table cascades from.
"""

from alembic import op
import sqlalchemy as sa


revision = '0012_i13_auto_phases'
down_revision = '0011_i13_proposals'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('process', sa.Column('auto_phases', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    # a plain DROP COLUMN: on SQLite a batch rebuild drops and re-creates the process table,
    # and every budget, ballot and audit event would cascade away with it
    op.drop_column('process', 'auto_phases')
