from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        # The invitation email: the gateway says an invitation was made, this app sends it.
        from gateway.team import invitation_created
        from notifications.invitations import on_invitation_created

        invitation_created.connect(on_invitation_created, dispatch_uid="invitation-email")
