"""Pages for editors, not the public: the claims no quote plainly states, to review in one sitting."""

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .filters import page_number
from .models import ClaimBasis
from .paging import paginate


@never_cache  # an editor's page: no cache, shared or not, keeps it
@staff_member_required
def claim_audit(request):
    """Every inferred or outside claim in the archive, a page at a time, with its record, its
    reasoning or origin, and the quotes it rests on."""
    page = paginate(ClaimBasis.objects.for_audit().order_by("pk"), page_number(request.GET))
    return render(request, "audit_claims.html", {"page": page})
