"""handover: hand-overs of people who leave or move, with the departments they left

A hand-over stores only who, why, its state and its scope (everything, or the departments the
person left); its items are read live from the tables that hold them. A partial unique index
keeps one open hand-over per person.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 15:34:29.118687

"""
from alembic import op
import sqlalchemy as sa

import forum.core.db


# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('is_everything', sa.Boolean(), nullable=False),
    sa.Column('opened_at', forum.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', forum.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_handovers_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_handovers_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_handovers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers'))
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handovers_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_handovers_user_id_open', ['user_id'], unique=True, sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))

    op.create_table('handover_departments',
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_handover_departments_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['handover_id'], ['handovers.id'], name=op.f('fk_handover_departments_handover_id_handovers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('handover_id', 'department_id', name=op.f('pk_handover_departments'))
    )


def downgrade():
    op.drop_table('handover_departments')
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_index('uq_handovers_user_id_open', sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
        batch_op.drop_index(batch_op.f('ix_handovers_user_id'))

    op.drop_table('handovers')
