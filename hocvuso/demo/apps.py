from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "hocvuso.demo"
    label = "demo"
