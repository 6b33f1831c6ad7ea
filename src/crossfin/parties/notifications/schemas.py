"""Input and output of the notifications API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from crossfin.parties.notifications.service import InboxItem


class TextOut(BaseModel):
    zh: str
    en: str


class NotificationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 41,
                    "kind": "filings:deadline:reminder",
                    "subject": {"zh": "申报截止提醒", "en": "Filing deadline reminder"},
                    "body": {
                        "zh": "2026年11月对外金融资产负债统计将于3个工作日后截止。",
                        "en": "The November 2026 external assets statistics are due in "
                        "3 working days.",
                    },
                    "link": "/filings/12",
                    "org_wide": True,
                    "created_at": "2026-12-04T01:00:00Z",
                    "read_at": None,
                }
            ]
        }
    )

    id: int
    kind: str
    subject: TextOut
    body: TextOut
    link: str | None
    # True: addressed to every principal of the organization, each reads it for itself.
    org_wide: bool
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, item: InboxItem) -> NotificationOut:
        n = item.notification
        return cls(
            id=n.id,
            kind=n.kind,
            subject=TextOut(zh=n.subject_zh, en=n.subject_en),
            body=TextOut(zh=n.body_zh, en=n.body_en),
            link=n.link,
            org_wide=n.principal_id is None,
            created_at=n.created_at,
            read_at=item.read_at,
        )


class InboxOut(BaseModel):
    items: list[NotificationOut]
    # Unread notices of the caller in all (not only on this page).
    unread: int
    # Pass as `before` for the next (older) page; None on the last page.
    next_before: int | None
