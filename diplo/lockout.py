"""How django-axes forgets failed sign-ins: a successful one forgets that account's failures only."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt


class AccountOnlyResetHandler(AxesDatabaseHandler):
    """django-axes' database handler, except for what a successful sign-in forgets (AXES_RESET_ON_SUCCESS).

    Axes' own forgets every failure any lockout parameter matches: with ["username", "ip_address"]
    that is every failure from the address too, whatever the account. Guesses at one editor's
    password, each followed by signing in to the guesser's own staff account, never locked it.
    Here a success forgets only the failures against the account that signed in; failures against
    other accounts still count, for those accounts and for the address.
    """

    def reset_user_attempts(self, request, credentials=None):
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
