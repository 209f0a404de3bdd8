"""Demo dialogues (see the seed_demo command): threads in several themes with dozens of posts,
official responses, posts waiting for approval, flagged posts and moderators at work.

Like the reports, the conversations are dated relative to "today" (portal.demo.StoryClock):
each post is placed a number of days back and written through the services in the story's
order (new members' first posts wait and a moderator approves them, flags hold a post,
actions write the audit trail), then dated at its moment. Officials answer in the threads
at most seven days apart, so with the answers on reports every recent week has some.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from dialogues import services
from dialogues.models import Flag, Follow, Post, Theme, Thread
from portal.demo import MODERATOR, PEOPLE, StoryClock, story_today
from portal.models import User
from submissions.demo import demo_report

WANJIRU, ROSA, MINH, AWA, OTIENO, MWANGI, HUAMAN, MARTIN = (person[0] for person in PEOPLE)


class Line(NamedTuple):
    """A post, `days_ago` days before today; the first line of a thread opens it."""

    days_ago: int
    author: str
    text: str
    official: bool = False  # marked by its author as an official response
    quotes: bool = False  # quotes the post before it


@dataclass
class DemoThread:
    topic: str
    title: str
    lines: list[Line]
    from_report: str | None = None  # started by a moderator from this demo report
    linked_report: str | None = None  # linked by a moderator to this demo report


THREADS = [
    DemoThread(
        "ECOM-10",
        "Payment gateways refuse merchants registered in Kenya",
        [
            Line(
                80,
                WANJIRU,
                "We roast and sell coffee online to buyers in Europe. Two international payment "
                "gateways refused our application this year because our company is registered "
                "in Kenya, although we have a Kenyan bank account and a clean history.\n\n"
                "Has anyone else been refused? Which gateways accept East African merchants?",
            ),
            Line(80, MINH, "Same in Viet Nam. One gateway asked for a company in Singapore."),
            Line(
                79,
                AWA,
                "Au Sénégal, nous passons par un agrégateur local, mais les frais sont de 4,5 % "
                "par transaction, contre 2,9 % pour nos concurrents européens.",
            ),
            Line(78, OTIENO, "Our association counted 31 members refused by at least one gateway."),
            Line(
                78,
                WANJIRU,
                "Thank you. The aggregator route works for us too, but payouts take 10 days.",
                quotes=True,
            ),
            Line(
                77,
                MWANGI,
                "The Ministry is aware of this. Under the **National Payments Strategy**, we are "
                "discussing with the Central Bank and two gateways how Kenyan merchants can be "
                "onboarded with the same checks as elsewhere. We will report back here by the "
                "end of the quarter.\n\nFirms can send anonymised refusal letters through a "
                "barrier report so we can raise specific cases.",
                official=True,
            ),
            Line(76, MINH, "Good to hear. Could this cover software exporters too?"),
            Line(
                75,
                MARTIN,
                "Notre centre publie une note comparative sur l'accès des PME aux passerelles de "
                "paiement dans 12 pays. Les refus liés au pays d'immatriculation y figurent.",
            ),
            Line(
                70,
                WANJIRU,
                "Update: a third gateway replied that Kenya is 'under review' for onboarding.",
            ),
            Line(68, MINH, "Is the refusal based on the company's country, or on the bank's?"),
            Line(67, AWA, "Pour nous, c'était le pays de la société : la banque était en France."),
            Line(64, WANJIRU, "Could the association collect refusal letters for the Ministry?"),
            Line(63, OTIENO, "Yes, we are collecting them. Eleven so far."),
            Line(57, WANJIRU, "Our aggregator raised its fees again this month: 4.9 %."),
            Line(54, MINH, "Has anyone tried the new regional payment switch for card payments?"),
            Line(
                53,
                OTIENO,
                "We tested it: settlement in two days, but only for buyers in the region.",
            ),
            Line(
                52, WANJIRU, "That helps for regional sales, not for Europe or the United States."
            ),
            Line(
                46,
                AWA,
                "Nous avons ouvert une filiale en France pour cela. Trop cher pour la plupart.",
            ),
            Line(
                45, MINH, "A subsidiary abroad costs us more than the whole online channel earns."
            ),
            Line(
                40,
                OTIENO,
                "The refusal letters mention 'risk appetite', never a rule we could fix.",
            ),
            Line(
                38, WANJIRU, "Could the Ministry ask gateways to publish their criteria by country?"
            ),
            Line(37, MINH, "Transparency on criteria would already help us choose where to apply."),
            Line(
                36,
                AWA,
                "D'accord. Une liste des pays acceptés par passerelle ferait gagner des semaines.",
            ),
            Line(33, ROSA, "Las pasarelas nos piden estados financieros auditados de tres años."),
            Line(33, MINH, "Three years of audited accounts is impossible for a start-up."),
            Line(
                32,
                OTIENO,
                "Some gateways accept one year if the founders sign a personal guarantee.",
            ),
            Line(
                32,
                ROSA,
                "Una garantía personal pone en riesgo nuestras casas. No es una opción real.",
            ),
            Line(31, OTIENO, "We will share the collected letters with the Ministry this week."),
            Line(
                30,
                MWANGI,
                "We have received the association's 19 letters, with the names removed. The "
                "Central Bank has agreed to a working group with the two largest gateways, and "
                "we have asked them to publish their onboarding criteria by country.",
                official=True,
            ),
            Line(
                26,
                WANJIRU,
                "Thank you all. This thread is the best summary of the problem we have.",
            ),
            Line(
                7,
                AWA,
                "Notre passerelle vient de fermer notre compte sans préavis, au motif que le "
                "Sénégal n'est plus servi. Nous l'avons signalé dans un rapport.",
            ),
            Line(6, MINH, "The same happened to one of our clients' shops last month."),
        ],
        linked_report="kahawa-payments",
    ),
    DemoThread(
        "SME-01",
        "Umbral de minimis para envíos de bajo valor en Perú",
        [
            Line(
                66,
                ROSA,
                "Vendemos chompas de alpaca a clientes en el extranjero. Nuestros compradores en "
                "Perú que devuelven productos pagan aranceles sobre envíos de menos de 200 USD. "
                "¿Se aplica el umbral de minimis a las devoluciones?",
            ),
            Line(
                63,
                HUAMAN,
                "Las devoluciones de mercancía exportada pueden acogerse al régimen de "
                "reimportación en el mismo estado, sin pago de tributos, si se presenta la "
                "declaración de exportación original. Publicaremos una guía paso a paso para "
                "envíos por courier.",
                official=True,
            ),
            Line(63, ROSA, "¡Gracias! Una guía para courier nos ayudaría mucho."),
            Line(62, WANJIRU, "Kenya has a similar question for returned parcels. Following this."),
            Line(
                8,
                HUAMAN,
                "Ya está publicada la guía paso a paso para reimportar devoluciones enviadas "
                "por courier, con los documentos que pide cada empresa de courier.",
                official=True,
            ),
            Line(
                7,
                ROSA,
                "¡Gracias! La probaremos la próxima semana con una devolución desde Chicago.",
            ),
            Line(4, WANJIRU, "Is the guide available in English? Our couriers would read it too."),
        ],
    ),
    DemoThread(
        "SME-04",
        "Les places de marché exigent un représentant fiscal local",
        [
            Line(
                52,
                AWA,
                "Une grande place de marché européenne nous demande de désigner un représentant "
                "fiscal dans l'UE avant de vendre nos beurres de karité. Le coût annuel dépasse "
                "notre chiffre d'affaires sur ce canal.",
            ),
            Line(
                49,
                MARTIN,
                "Le guichet unique TVA à l'importation (IOSS) permet dans certains cas de s'en "
                "passer pour les envois de moins de 150 EUR. Nous préparons une fiche pratique "
                "pour les vendeurs d'Afrique de l'Ouest.",
                official=True,
            ),
            Line(48, AWA, "Merci, nous attendons la fiche avec impatience."),
            Line(47, ROSA, "Nos pasa lo mismo con otra plataforma en Estados Unidos."),
            Line(
                19,
                MARTIN,
                "La fiche pratique sur le guichet unique TVA à l'importation est en ligne sur le "
                "site de notre centre, en français et en anglais.",
                official=True,
            ),
            Line(
                18,
                AWA,
                "Merci, elle répond à la plupart de nos questions. Reste la personne "
                "responsable exigée pour les cosmétiques.",
            ),
        ],
        linked_report="karite-marketplace",
    ),
    DemoThread(
        "ECOM-X02",
        "Data localisation rules for software sold to the region",
        [
            Line(
                38,
                MINH,
                "A client in a neighbouring market asked us to host their users' data in their "
                "country. For a studio of 14 people that means a second cloud contract.",
            ),
            Line(37, OTIENO, "Which sectors does it cover? Finance, or all personal data?"),
            Line(37, MINH, "The draft decree says 'important data', which is not defined yet."),
            Line(
                36,
                MARTIN,
                "Notre centre suit ces projets de décret. Dans plusieurs pays, la notion de "
                "« données importantes » sera précisée par des listes sectorielles ; nous "
                "publierons un résumé dès leur parution.",
                official=True,
            ),
            Line(
                25,
                MINH,
                "Now public bodies in another market may only buy software hosted locally: we "
                "filed a report on it. The trend is spreading.",
            ),
        ],
    ),
    DemoThread(
        "ECOM-08",
        "Electronic certificates of origin still refused at the border",
        [
            Line(
                24,
                OTIENO,
                "Several members report that customs in one partner country still ask for paper "
                "certificates of origin, although both sides signed the e-certificate pilot.",
            ),
            Line(23, WANJIRU, "We had a shipment held for six days last month for this reason."),
            Line(
                21,
                AWA,
                "Pour nos colis vers le Maroc, on nous a aussi demandé l'original papier de la "
                "facture, malgré la version électronique.",
            ),
        ],
    ),
    DemoThread(
        "SME-01",
        "",  # the report's title
        [
            Line(
                30,
                MODERATOR[0],
                "This dialogue is about barrier report {reference}. Have you met this barrier "
                "too? Officials: what is the rule, and can it change?",
            ),
            Line(
                29,
                ROSA,
                "Desde Perú vemos lo mismo: nuestras muestras a EE. UU. pagan ahora agente de "
                "aduanas y aranceles.",
            ),
            Line(
                27,
                AWA,
                "Nous avons suspendu les ventes de savons aux États-Unis : les frais de "
                "dédouanement dépassent la valeur des colis.",
            ),
            Line(
                22,
                OTIENO,
                "Some members now ship consolidated cartons to a fulfilment partner in the US. "
                "It works for repeat buyers only.",
            ),
            Line(
                16,
                MARTIN,
                "Notre centre publie ce mois-ci une étude sur les effets de la fin des "
                "exemptions pour petits envois sur les exportateurs des pays en développement. "
                "Vos témoignages y figureront, sans vous nommer.",
                official=True,
            ),
            Line(15, WANJIRU, "Thank you. We can share our parcel data for the study."),
        ],
        from_report="kahawa-us-de-minimis",
    ),
]

PAYMENTS, PERU_RETURNS, MARKETPLACES, LOCALISATION, CERTIFICATES, US_DE_MINIMIS = range(6)
HIDDEN_POST_DAYS_AGO = 3  # the moderators' recent work starts then


def _people() -> dict[str, User]:
    emails = [MODERATOR[0], *(person[0] for person in PEOPLE)]
    return {user.email: user for user in User.objects.filter(email__in=emails)}


class _Conversations:
    """Writes the threads' posts through the services in the story's order and dates them."""

    def __init__(self, clock: StoryClock, people: dict[str, User]) -> None:
        self.clock = clock
        self.people = people
        self.moderator = people[MODERATOR[0]]
        self.threads: dict[int, Thread] = {}  # by index in THREADS, once started
        self.started: dict[int, dt.datetime] = {}
        self.posts: dict[int, list[Post]] = {}
        self.latest: dict[int, dt.datetime] = {}  # the thread's latest post, published then

    def tell(self) -> int:
        events: list[tuple[dt.datetime, int, int, Line]] = []
        for index, story in enumerate(THREADS):
            previous: dt.datetime | None = None
            for number, line in enumerate(story.lines):
                previous = self.clock.day(line.days_ago, after=previous)
                events.append((previous, index, number, line))
        events.sort(key=lambda event: event[:3])
        for when, index, number, line in events:
            if number == 0:
                self.start(index, line, when)
            else:
                self.reply(index, line, when)
        return len(events)

    def start(self, index: int, line: Line, when: dt.datetime) -> None:
        story = THREADS[index]
        theme = Theme.objects.get(topic_id=story.topic)
        if story.from_report:
            report = demo_report(story.from_report)
            if report is None:
                raise ValueError(f"Demo story: report {story.from_report} was not seeded.")
            thread = services.thread_start_from_report(
                moderator=self.moderator,
                report=report,
                theme=theme,
                title=report.title,
                body=line.text.format(reference=report.reference),
            )
        else:
            thread = services.thread_start(
                author=self.people[line.author], theme=theme, title=story.title, body=line.text
            )
        opening = thread.posts.get(is_opening=True)
        self.threads[index], self.started[index] = thread, when
        self.posts[index] = [self._published(opening, when, written=when)]
        self.latest[index] = when

    def reply(self, index: int, line: Line, when: dt.datetime) -> None:
        # A thread's opening line is its earliest, so the thread exists by now.
        thread, posts = self.threads[index], self.posts[index]
        author = self.people[line.author]
        quote = posts[-1] if line.quotes else None
        post = services.post_create(author=author, thread=thread, body=line.text, quote=quote)
        written = when
        if post.status == Post.Status.PENDING:
            # A new member's post waits in the queue until a moderator approves it.
            written = max(
                self.clock.minutes_before(when, 20, 180),
                self.latest[index] + dt.timedelta(minutes=1),
            )
        post = self._published(post, when, written=written)
        if line.official:
            services.post_mark_official_response(actor=author, post=post, is_response=True)
        posts.append(post)
        self.latest[index] = when

    def _published(self, post: Post, when: dt.datetime, *, written: dt.datetime) -> Post:
        if post.status == Post.Status.PENDING:
            post = services.post_approve(moderator=self.moderator, post=post)
        Post.objects.filter(pk=post.pk).update(created_at=min(written, when), published_at=when)
        post.created_at, post.published_at = min(written, when), when
        return post

    def settle(self) -> None:
        """Threads' dates and followers' "since" after back-dating: they read as weeks old."""
        for index, thread in self.threads.items():
            latest = thread.posts.filter(status=Post.Status.PUBLISHED).order_by("-published_at")
            last = latest.values_list("published_at", flat=True).first() or self.started[index]
            Thread.objects.filter(pk=thread.pk).update(
                created_at=self.started[index], last_post_at=last
            )
            Follow.objects.filter(thread=thread).update(created_at=self.started[index])


def seed(log: Callable[[str], None], *, today: dt.date | None = None) -> None:
    """The conversations, then the weekly digests of the weeks they fill."""
    seed_conversations(log, today=today)
    from dialogues.digests import demo as digest_demo

    digest_demo.seed(log, today=today)


def seed_conversations(log: Callable[[str], None], *, today: dt.date | None = None) -> None:
    """Threads and posts, official answers, and the moderators' last days of work."""
    if Thread.objects.exists():
        log("dialogues already present; nothing to do")
        return
    clock = StoryClock(today or story_today(), "dialogues")
    people = _people()
    moderator = people[MODERATOR[0]]
    conversations = _Conversations(clock, people)
    total_posts = conversations.tell()
    threads = conversations.threads
    for thread in threads.values():
        services.follow_set(user=people[WANJIRU], thread=thread, following=True)
    linked = sum(story.from_report is not None for story in THREADS)
    for index, story in enumerate(THREADS):
        report = demo_report(story.linked_report) if story.linked_report else None
        if report is not None:
            thread = threads[index]
            services.thread_link_report(
                moderator=moderator, thread=thread, report=report, reason="Same barrier."
            )
            linked += 1
    pending, flagged = _moderation_work(conversations, people, moderator, clock)
    conversations.settle()
    services.thread_pin(moderator=moderator, thread=threads[PAYMENTS], pinned=True, reason="")
    services.thread_lock(
        moderator=moderator,
        thread=threads[CERTIFICATES],
        locked=True,
        reason="The pilot has ended; please continue in the new thread on e-certificates.",
    )
    officials = sum(line.official for story in THREADS for line in story.lines)
    log(
        f"{len(threads)} threads, {total_posts} published posts, "
        f"{officials} official responses by 3 bodies"
    )
    log(f"{pending} posts waiting for approval, {flagged} flagged posts, {linked} linked reports")


def _moderation_work(
    conversations: _Conversations, people: dict[str, User], moderator: User, clock: StoryClock
) -> tuple[int, int]:
    """The last days' work: a thread put under pre-moderation with posts waiting, flags, a
    post held by flags and a hidden post with its reason."""
    threads = conversations.threads
    payments, marketplaces, localisation = (
        threads[PAYMENTS],
        threads[MARKETPLACES],
        threads[LOCALISATION],
    )

    def written(post: Post, when: dt.datetime) -> None:
        """Date a post; one published on writing (a trusted member's) was published then."""
        Post.objects.filter(pk=post.pk).update(created_at=when)
        Post.objects.filter(pk=post.pk, published_at__isnull=False).update(published_at=when)

    hidden = services.post_create(
        author=people[MINH],
        thread=payments,
        body="The gateway's account manager is Mr X, his mobile is +00 000 000 000.",
    )
    written(hidden, clock.day(HIDDEN_POST_DAYS_AGO))
    services.post_hide(
        moderator=moderator,
        post=hidden,
        reason="Please do not share a person's contact details. Edit the post without them.",
    )
    services.thread_set_premoderation(
        moderator=moderator,
        thread=localisation,
        enabled=True,
        reason="The draft decree is sensitive: posts are checked before they appear.",
    )
    promotional = services.post_create(
        author=people[MINH],
        thread=marketplaces,
        body="Our studio builds marketplace integrations. Write to us for a **20 % discount**!",
    )
    written(promotional, clock.day(2))
    heated = services.post_create(
        author=people[OTIENO],
        thread=payments,
        body="Frankly the gateways' compliance teams do not care about small firms at all.",
    )
    written(heated, clock.day(2))
    flags = [
        services.post_flag(flagger=people[flagger], post=promotional, reason=reason)
        for flagger, reason in [(AWA, Flag.Reason.SPAM), (ROSA, Flag.Reason.OFF_TOPIC)]
    ]
    flags += [
        services.post_flag(
            flagger=people[flagger],
            post=heated,
            reason=Flag.Reason.ABUSIVE,
            note="Too strong, though the point is fair.",
        )
        for flagger in (WANJIRU, ROSA, MINH)
    ]
    for flag in flags:
        Flag.objects.filter(pk=flag.pk).update(created_at=clock.day(1))
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
    for post in waiting:
        written(post, clock.day(1))
    return len(waiting), 2
