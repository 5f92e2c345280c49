from django.core.management.base import BaseCommand

from hocvuso.territory.services import load_admin_units


class Command(BaseCommand):
    help = "Load the 34 provinces and 3,321 communes in force since 1 July 2025 (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        result = load_admin_units(actor=None)
        self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
