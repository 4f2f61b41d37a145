from django.apps import AppConfig


class ComanagersConfig(AppConfig):
    name = "comanagers"
