"""Channel names are unique within a partner (two channels of one name made identical entries)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    # Any channels already sharing a name within a partner are told apart by a number, in the
    # order they were made, before the rule is enforced.
    connection = op.get_bind()
    channels = sa.table(
        "channels",
        sa.column("id", sa.Integer),
        sa.column("partner_id", sa.Integer),
        sa.column("name", sa.String),
    )
    seen: dict[tuple[int, str], int] = {}
    for channel_id, partner_id, name in connection.execute(
        sa.select(channels.c.id, channels.c.partner_id, channels.c.name).order_by(channels.c.id)
    ):
        key = (partner_id, name.lower())
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            connection.execute(
                channels.update()
                .where(channels.c.id == channel_id)
                .values(name=f"{name} ({seen[key]})")
            )
    op.create_index(
        "uq_channels_partner_name", "channels", ["partner_id", "name"], unique=True
    )


def downgrade():
    op.drop_index("uq_channels_partner_name", table_name="channels")
