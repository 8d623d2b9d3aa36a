import os

# Tests run with production-like settings; the secret key only has to exist.
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DIPLO_PLAIN_STATIC", "1")
