"""Response quality: signs of robots and repeat submissions, and the analyst's decisions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "quality_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("sign", sa.String(length=40), nullable=False),
        sa.Column("group_description", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("response_count", sa.Integer(), nullable=False),
        sa.Column("made_by_user_id", sa.Integer(), nullable=True),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_quality_decisions_survey_id_surveys")
        ),
        sa.ForeignKeyConstraint(
            ["made_by_user_id"], ["users.id"], name=op.f("fk_quality_decisions_made_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"],
            ["quality_decisions.id"],
            name=op.f("fk_quality_decisions_undone_by_id_quality_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_decisions")),
    )
    # Batch mode: SQLite adds a foreign key only by rebuilding the table.
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("answer_pattern", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column(
                "same_answers_burst", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("channel_burst", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("excluded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("quality_decision_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_responses_quality_decision_id_quality_decisions"),
            "quality_decisions",
            ["quality_decision_id"],
            ["id"],
        )
        batch_op.create_index(
            "ix_responses_survey_pattern", ["survey_id", "answer_pattern"], unique=False
        )


def downgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index("ix_responses_survey_pattern")
        batch_op.drop_constraint(
            batch_op.f("fk_responses_quality_decision_id_quality_decisions"), type_="foreignkey"
        )
        for name in (
            "quality_decision_id",
            "excluded",
            "channel_burst",
            "same_answers_burst",
            "answer_pattern",
            "duration_seconds",
        ):
            batch_op.drop_column(name)
    op.drop_table("quality_decisions")
