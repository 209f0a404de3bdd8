"""Demo dialogues (see the seed_demo command): threads in several themes with dozens of posts,
official responses, posts waiting for approval, flagged posts and moderators at work.

Everything goes through the services, as on a live site (new members' first posts wait and a
moderator approves them, flags hide a post, actions write the audit trail); dates are then
spread over the last weeks so the pages read like a real conversation.
"""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from dialogues import services
from dialogues.models import Flag, Post, Theme, Thread
from portal.demo import MODERATOR, PEOPLE
from portal.models import User

WANJIRU, ROSA, MINH, AWA, OTIENO, MWANGI, HUAMAN, MARTIN = (person[0] for person in PEOPLE)

# theme topic, title, [(author, text, official response?)]: the first post opens the thread
THREADS = [
    (
        "ECOM-10",
        "Payment gateways refuse merchants registered in Kenya",
        [
            (
                WANJIRU,
                "We roast and sell coffee online to buyers in Europe. Two international payment "
                "gateways refused our application this year because our company is registered "
                "in Kenya, although we have a Kenyan bank account and a clean history.\n\n"
                "Has anyone else been refused? Which gateways accept East African merchants?",
                False,
            ),
            (MINH, "Same in Viet Nam. One gateway asked for a company in Singapore.", False),
            (
                AWA,
                "Au Sénégal, nous passons par un agrégateur local, mais les frais sont de 4,5 % "
                "par transaction, contre 2,9 % pour nos concurrents européens.",
                False,
            ),
            (OTIENO, "Our association counted 31 members refused by at least one gateway.", False),
            (
                WANJIRU,
                "Thank you. The aggregator route works for us too, but payouts take 10 days.",
                False,
            ),
            (
                MWANGI,
                "The Ministry is aware of this. Under the **National Payments Strategy**, we are "
                "discussing with the Central Bank and two gateways how Kenyan merchants can be "
                "onboarded with the same checks as elsewhere. We will report back here by the "
                "end of the quarter.\n\nFirms can send anonymised refusal letters through a "
                "barrier report so we can raise specific cases.",
                True,
            ),
            (MINH, "Good to hear. Could this cover software exporters too?", False),
            (
                MARTIN,
                "Notre centre publie une note comparative sur l'accès des PME aux passerelles de "
                "paiement dans 12 pays. Les refus liés au pays d'immatriculation y figurent.",
                False,
            ),
        ],
    ),
    (
        "SME-01",
        "Umbral de minimis para envíos de bajo valor en Perú",
        [
            (
                ROSA,
                "Vendemos chompas de alpaca a clientes en el extranjero. Nuestros compradores en "
                "Perú que devuelven productos pagan aranceles sobre envíos de menos de 200 USD. "
                "¿Se aplica el umbral de minimis a las devoluciones?",
                False,
            ),
            (
                HUAMAN,
                "Las devoluciones de mercancía exportada pueden acogerse al régimen de "
                "reimportación en el mismo estado, sin pago de tributos, si se presenta la "
                "declaración de exportación original. Publicaremos una guía paso a paso para "
                "envíos por courier.",
                True,
            ),
            (ROSA, "¡Gracias! Una guía para courier nos ayudaría mucho.", False),
            (WANJIRU, "Kenya has a similar question for returned parcels. Following this.", False),
        ],
    ),
    (
        "SME-04",
        "Les places de marché exigent un représentant fiscal local",
        [
            (
                AWA,
                "Une grande place de marché européenne nous demande de désigner un représentant "
                "fiscal dans l'UE avant de vendre nos beurres de karité. Le coût annuel dépasse "
                "notre chiffre d'affaires sur ce canal.",
                False,
            ),
            (
                MARTIN,
                "Le guichet unique TVA à l'importation (IOSS) permet dans certains cas de s'en "
                "passer pour les envois de moins de 150 EUR. Nous préparons une fiche pratique "
                "pour les vendeurs d'Afrique de l'Ouest.",
                True,
            ),
            (AWA, "Merci, nous attendons la fiche avec impatience.", False),
            (ROSA, "Nos pasa lo mismo con otra plataforma en Estados Unidos.", False),
        ],
    ),
    (
        "ECOM-X02",
        "Data localisation rules for software sold to the region",
        [
            (
                MINH,
                "A client in a neighbouring market asked us to host their users' data in their "
                "country. For a studio of 14 people that means a second cloud contract.",
                False,
            ),
            (OTIENO, "Which sectors does it cover? Finance, or all personal data?", False),
            (MINH, "The draft decree says 'important data', which is not defined yet.", False),
        ],
    ),
    (
        "ECOM-08",
        "Electronic certificates of origin still refused at the border",
        [
            (
                OTIENO,
                "Several members report that customs in one partner country still ask for paper "
                "certificates of origin, although both sides signed the e-certificate pilot.",
                False,
            ),
            (WANJIRU, "We had a shipment held for six days last month for this reason.", False),
        ],
    ),
]


def _people() -> dict[str, User]:
    emails = [MODERATOR[0], *(person[0] for person in PEOPLE)]
    return {user.email: user for user in User.objects.filter(email__in=emails)}


def _backdate(post: Post, when) -> None:
    Post.objects.filter(pk=post.pk).update(
        created_at=when, published_at=when if post.published_at else None
    )


def _settle(thread: Thread, started) -> None:
    """Dates and counters after back-dating: the thread reads as weeks old."""
    thread.refresh_from_db()
    latest = thread.posts.filter(status=Post.Status.PUBLISHED).order_by("-published_at").first()
    Thread.objects.filter(pk=thread.pk).update(
        created_at=started, last_post_at=latest.published_at if latest else started
    )


def seed(log: Callable[[str], None]) -> None:
    if Thread.objects.exists():
        log("dialogues already present; nothing to do")
        return
    people = _people()
    moderator = people[MODERATOR[0]]
    now = timezone.now()

    def write(author: User, thread: Thread, text: str, when, quote: Post | None = None) -> Post:
        post = services.post_create(author=author, thread=thread, body=text, quote=quote)
        if post.status == Post.Status.PENDING:
            post = services.post_approve(moderator=moderator, post=post)
        _backdate(post, when)
        return post

    threads: list[Thread] = []
    total_posts = 0
    for index, (topic, title, posts) in enumerate(THREADS):
        theme = Theme.objects.get(topic_id=topic)
        started = now - timedelta(days=24 - index * 3, hours=index)
        (first_author, first_text, _official), *replies = posts
        thread = services.thread_start(
            author=people[first_author], theme=theme, title=title, body=first_text
        )
        opening = thread.posts.get(is_opening=True)
        if opening.status == Post.Status.PENDING:
            opening = services.post_approve(moderator=moderator, post=opening)
        _backdate(opening, started)
        when = started
        previous = opening
        for step, (author, text, official_response) in enumerate(replies, start=1):
            when = started + timedelta(hours=5 * step, minutes=7 * step)
            quote = previous if step == 4 else None
            post = write(people[author], thread, text, when, quote=quote)
            if official_response:
                services.post_mark_official_response(
                    actor=people[author], post=post, is_response=True
                )
            previous = post
        total_posts += len(posts)
        threads.append(thread)
        services.follow_set(user=people[WANJIRU], thread=thread, following=True)

    payments = threads[0]
    total_posts += _long_thread(payments, people, moderator, now)
    pending, flagged = _moderation_work(threads, people, moderator, now)
    linked = _link_reports(threads, moderator)
    for index, thread in enumerate(threads):
        _settle(thread, now - timedelta(days=24 - index * 3, hours=index))
    services.thread_pin(moderator=moderator, thread=payments, pinned=True, reason="")
    services.thread_lock(
        moderator=moderator,
        thread=threads[4],
        locked=True,
        reason="The pilot has ended; please continue in the new thread on e-certificates.",
    )
    log(
        f"{Thread.objects.count()} threads, {total_posts} published posts, "
        "official responses by 3 bodies"
    )
    log(f"{pending} posts waiting for approval, {flagged} flagged posts, {linked} linked reports")


def _long_thread(thread: Thread, people: dict[str, User], moderator: User, now) -> int:
    """A long conversation on one thread, so its pages show pagination."""
    lines = [
        (WANJIRU, "Update: a third gateway replied that Kenya is 'under review' for onboarding."),
        (MINH, "Is the refusal based on the company's country, or on the bank's country?"),
        (AWA, "Pour nous, c'était le pays de la société : la banque était en Allemagne."),
        (WANJIRU, "Could the association collect refusal letters for the Ministry?"),
        (OTIENO, "Yes, we are collecting them. Eleven so far."),
        (WANJIRU, "Our aggregator raised fees again this month: 4.9 %."),
        (MINH, "Has anyone tried the new regional payment switch for cross-border cards?"),
        (OTIENO, "We tested it: settlement in two days, but only for buyers in the region."),
        (WANJIRU, "That helps for regional sales, not for Europe or the United States."),
        (AWA, "Nous avons ouvert une filiale en France pour cela. Trop cher pour la plupart."),
        (MINH, "A subsidiary abroad costs us more than the whole online channel earns."),
        (OTIENO, "The refusal letters mention 'risk appetite', never a rule we could fix."),
        (WANJIRU, "Could the Ministry ask gateways to publish their criteria by country?"),
        (MINH, "Transparency on criteria would already help us choose where to apply."),
        (AWA, "D'accord. Une liste des pays acceptés par passerelle ferait gagner des semaines."),
        (ROSA, "Las pasarelas nos piden estados financieros auditados de tres años."),
        (MINH, "Three years of audited accounts is impossible for a start-up."),
        (OTIENO, "Some gateways accept one year if the founders sign a personal guarantee."),
        (ROSA, "Una garantía personal pone en riesgo nuestras casas. No es una opción real."),
        (OTIENO, "We will share the collected letters with the Ministry next week."),
        (WANJIRU, "Thank you all. This thread is the best summary of the problem we have."),
    ]
    start = now - timedelta(days=12)
    for step, (email, text) in enumerate(lines):
        author = people[email]
        when = start + timedelta(hours=9 * step)
        post = services.post_create(author=author, thread=thread, body=text)
        if post.status == Post.Status.PENDING:
            post = services.post_approve(moderator=moderator, post=post)
        _backdate(post, when)
    return len(lines)


def _moderation_work(
    threads: list[Thread], people: dict[str, User], moderator: User, now
) -> tuple[int, int]:
    """Posts waiting in the queue, flags, a hidden post with its reason."""
    marketplace, localisation = threads[2], threads[3]
    services.thread_set_premoderation(
        moderator=moderator,
        thread=localisation,
        enabled=True,
        reason="The draft decree is sensitive: posts are checked before they appear.",
    )
    waiting = [
        services.post_create(
            author=people[OTIENO],
            thread=localisation,
            body="Our lawyers think 'important data' will include customer lists.",
        ),
        services.post_create(
            author=people[WANJIRU],
            thread=localisation,
            body="Is there a consultation period on the draft decree?",
        ),
    ]
    promotional = services.post_create(
        author=people[MINH],
        thread=marketplace,
        body="Our studio builds marketplace integrations. Write to us for a **20 % discount**!",
    )
    heated = services.post_create(
        author=people[OTIENO],
        thread=threads[0],
        body="Frankly the gateways' compliance teams do not care about small firms at all.",
    )
    for flagger, reason in [(AWA, Flag.Reason.SPAM), (ROSA, Flag.Reason.OFF_TOPIC)]:
        services.post_flag(flagger=people[flagger], post=promotional, reason=reason)
    for flagger in (WANJIRU, ROSA, MINH):
        services.post_flag(
            flagger=people[flagger],
            post=heated,
            reason=Flag.Reason.ABUSIVE,
            note="Too strong, though the point is fair.",
        )
    hidden = services.post_create(
        author=people[MINH],
        thread=threads[0],
        body="The gateway's account manager is Mr X, his mobile is +00 000 000 000.",
    )
    services.post_hide(
        moderator=moderator,
        post=hidden,
        reason="Please do not share a person's contact details. Edit the post without them.",
    )
    for offset, post in enumerate([*waiting, promotional, heated, hidden]):
        _backdate(Post.objects.get(pk=post.pk), now - timedelta(hours=20 - offset))
    return len(waiting), 2


def _link_reports(threads: list[Thread], moderator: User) -> int:
    """Tie threads to published demo reports, if the submissions demo made any."""
    from submissions.models import BarrierReport

    published = BarrierReport.objects.filter(status=BarrierReport.Status.PUBLISHED)
    linked = 0
    for thread in threads[:2]:
        unlinked = published.exclude(dialogue_threads__isnull=False)
        report = unlinked.filter(topics=thread.theme.topic_id).first() or unlinked.first()
        if report is None:
            continue
        services.thread_link_report(
            moderator=moderator, thread=thread, report=report, reason="Same barrier."
        )
        linked += 1
    remaining = published.exclude(dialogue_threads__isnull=False).first()
    if remaining is not None:
        theme = Theme.objects.filter(topic__in=remaining.topics.all()).first() or Theme.objects.get(
            topic_id="ECOM-X99"
        )
        services.thread_start_from_report(
            moderator=moderator,
            report=remaining,
            theme=theme,
            title=remaining.title,
            body=f"This dialogue is about barrier report {remaining.reference}. Have you met "
            "this barrier too? Officials: what is the rule, and can it change?",
        )
        linked += 1
    return linked


# --- Weekly digests (dialogues/digests/demo.py) --------------------------------------------
# Runs after the threads above exist, so the demo archive shows the last weeks' activity.
_seed_threads = seed


def seed(log: Callable[[str], None]) -> None:
    _seed_threads(log)
    from dialogues.digests import demo as digest_demo

    digest_demo.seed(log)
