import pytest
from django.test import Client
from tests.security_data import make_small_archive
@pytest.mark.django_db
def test_x():
    make_small_archive()
    c = Client(raise_request_exception=True)
    r = c.get("/search/feed/?council=%3Cscript%3Ealert%281%29%3C/script%3E&q=%3Cscript%3Ealert%281%29%3C/script%3E")
    print(r["Content-Type"]); body=r.content.decode(); i=body.find("<script>"); print(body[max(0,i-300):i+100])
    r = c.get("/search.json?q=%3Cscript%3Ealert%281%29%3C/script%3E"); print(r["Content-Type"])

