"""Trade Dialogue and digest URLs."""

app_name = "dialogues"
urlpatterns: list = []
