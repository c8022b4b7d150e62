"""Tables owned by the judging stage: monitoring schemes and which items match them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.store.base import Base, JSONDoc, UTCDateTime, utcnow

ITEM_ID = BigInteger().with_variant(Integer, "sqlite")


class Scheme(Base):
    __tablename__ = "scheme"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    mode: Mapped[str] = mapped_column(String(16))  # simple | advanced
    subject_terms: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    region_terms: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    event_terms: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    exclude_terms: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    expression: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ItemMatch(Base):
    """An item matched a scheme; `terms` are the words found, shown highlighted and as the why."""

    __tablename__ = "item_match"
    __table_args__ = (
        Index("ix_item_match_scheme_item", "scheme_id", "item_id"),
        Index("ix_item_match_matched_at", "matched_at"),
    )
    item_id: Mapped[int] = mapped_column(
        ITEM_ID, ForeignKey("item.id", ondelete="CASCADE"), primary_key=True
    )
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("scheme.id", ondelete="CASCADE"), primary_key=True
    )
    terms: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A monitor's verdict: None unjudged, True relevant, False irrelevant (feeds exclude hints).
    relevant: Mapped[bool | None] = mapped_column(Boolean)
    judged_by: Mapped[str | None] = mapped_column(String(64))


class ItemSentiment(Base):
    """The model's sentiment of an item, or a person's correction of it (which wins, and which
    `yuqing model train --with-feedback` will learn from)."""

    __tablename__ = "item_sentiment"
    __table_args__ = (Index("ix_item_sentiment_label", "label"),)
    item_id: Mapped[int] = mapped_column(
        ITEM_ID, ForeignKey("item.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(16))  # negative | neutral | positive
    score: Mapped[float] = mapped_column(Float)
    emotion: Mapped[str | None] = mapped_column(String(16))
    model_label: Mapped[str] = mapped_column(String(16))  # what the model said
    corrected_by: Mapped[str | None] = mapped_column(String(64))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ItemTags(Base):
    """An item's category and risk flags by the configurable rules, and the deciding terms."""

    __tablename__ = "item_tags"
    __table_args__ = (Index("ix_item_tags_category", "category"),)
    item_id: Mapped[int] = mapped_column(
        ITEM_ID, ForeignKey("item.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(32))
    category_terms: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    # Set when the rules found no term and the category model was confident (judge/category.py)
    category_score: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[list[str]] = mapped_column(JSONDoc, default=list)


class TaxonomyEntry(Base):
    """A category or a risk flag with its terms, as the organisation edited them; with no rows
    the built-in taxonomy (yuqing/judge/taxonomy.py) applies."""

    __tablename__ = "taxonomy_entry"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # category | flag
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    terms: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="system")
