"""Notifications: a portal inbox per principal and e-mail through the configured SMTP server.

Every domain calls `service.notify` inside its own transaction (a rolled-back change
notifies nobody); `mail.deliver_pending` sends the queued mail (docs/notifications.md).
"""
