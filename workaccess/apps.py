from django.apps import AppConfig


class WorkaccessConfig(AppConfig):
    name = "workaccess"
