from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools, pupils and families"

    def ready(self):
        from schools.accounts import sessions as session_middleware  # noqa: F401  (connects its sign-in receiver)
