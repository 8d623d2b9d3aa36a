import os

# Tests run with production-like settings; the secret key only has to exist.
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DIPLO_PLAIN_STATIC", "1")
# The test server speaks plain HTTP; tests of the HTTPS settings override them.
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop in the test thread
