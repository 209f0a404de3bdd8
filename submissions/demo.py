"""Demo barrier reports (run by `manage.py seed_demo` after portal.demo).

Thirty-seven reports from the demo firms, in every status and visibility, in English, French
and Spanish, with co-signatures and official responses, told as a story dated relative to
"today" (portal.demo.StoryClock): each event is placed a number of days back, so that every
one of the last twelve complete ISO weeks has new reports, and nearly every one a status
change and an official answer, while the last few days' reports still wait for triage.

In the last 90 days, public reports are published, later decisions taken and officials
answer (here and in the dialogues) never more than seven days apart, the first in the last
week and the last 84 days back or more: whatever the weekday of "today", each of the twelve
weeks gets its share (tests/submissions/test_demo.py checks it).

Everything goes through the services, in the story's order, so the workflow's rules,
references, timelines and emails are real; each row is then dated at its moment in the story.
"""

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from portal.demo import StoryClock, story_today
from portal.models import Country, HsChapter, NtmChapter, Topic, User
from submissions import services
from submissions.models import BarrierReport, CoSignature, OfficialResponse, StatusChange
from submissions.permissions import can_cosign, can_respond_officially

S = BarrierReport.Status
V = BarrierReport.Visibility
Direction = BarrierReport.TradeDirection
Mode = BarrierReport.DeliveryMode
Cost = BarrierReport.CostBand
Impact = CoSignature.Impact

KAHAWA = "wanjiru@kahawa-bora.example"
ALPACA = "rosa@alpaca-andina.example"
SONG = "minh@songcode.example"
KARITE = "awa@karite-teranga.example"
EAEA = "otieno@eaea.example"
KENYA_OFFICIAL = "j.mwangi@trade.go.ke.example"
PERU_OFFICIAL = "l.huaman@sunat.gob.pe.example"
IO_OFFICIAL = "c.martin@dtfc.int.example"
MODERATOR = "moderator@tradedialogues.example"


@dataclass(frozen=True)
class Decision:
    """A moderator's decision, `days_ago` days before today, with the note the reporter gets."""

    status: str
    days_ago: int
    note: str = ""


@dataclass
class DemoReport:
    key: str
    reporter: str
    language: str
    title: str
    summary: str
    description: str
    market: str
    direction: str
    mode: str
    topics: list[str]
    filed: int  # days ago the reporter started the draft
    submitted: int | None = None  # days ago it was sent to the moderators; None: a draft
    decisions: list[Decision] = field(default_factory=list)
    visibility: str = V.PUBLIC
    ntm: str | None = None
    hs: list[str] = field(default_factory=list)
    first_met: int | None = None  # months before filing the barrier was first met
    active: bool | None = True
    cost: str = Cost.UNKNOWN
    steps: str = ""
    duplicate_of: str | None = None

    @property
    def published(self) -> int | None:
        """Days ago the report was first published, if it was."""
        return next((d.days_ago for d in self.decisions if d.status == S.PUBLISHED), None)


REPORTS = [
    DemoReport(
        "kahawa-us-de-minimis",
        KAHAWA,
        "en",
        "Small coffee parcels to the United States now need a formal customs entry",
        "Our 250 g and 1 kg retail bags used to clear as low-value shipments. Since the "
        "low-value exemption stopped applying to our parcels, each order needs a broker and a "
        "formal entry, which costs more than the coffee.",
        "We sell roasted Kenyan coffee through our own web shop to about 300 customers in the "
        "United States, mostly single bags worth USD 20 to 60. Until last year these parcels "
        "went by post and cleared without duties or paperwork.\n\nNow our courier tells us "
        "every parcel needs a formal or informal entry filed by a customs broker, with a fee "
        "of USD 15 to 35 per parcel on top of the duty. Several parcels were held for weeks "
        "and two were returned. We have paused US orders under USD 50.",
        "US",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-01", "SME-03"],
        93,
        submitted=91,
        ntm="C",
        hs=["09"],
        first_met=12,
        cost=Cost.FROM_10K_TO_50K,
        steps="Asked two couriers for a consolidated shipping option; asked the Kenyan "
        "export promotion council for advice.",
        decisions=[Decision(S.PUBLISHED, 88)],
    ),
    DemoReport(
        "kahawa-eu-vat",
        KAHAWA,
        "en",
        "Every small coffee order to the EU pays import VAT plus a courier handling fee",
        "Buyers in the EU are asked to pay import VAT and a EUR 10-15 handling fee on delivery "
        "of a EUR 25 bag of coffee. Many refuse the parcel, and we pay to ship it back.",
        "Our customers in Germany, the Netherlands and France order one or two bags at a time. "
        "Since the EU ended its VAT exemption for small consignments, the courier collects "
        "import VAT and its own clearance fee from the buyer on the doorstep.\n\nOne order in "
        "five is refused at the door. We looked at registering for the EU's import one-stop "
        "shop, but as a non-EU micro firm we would need an intermediary in the EU, whose "
        "yearly fee is more than our EU sales margin.",
        "EU",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-02", "SME-01"],
        102,
        submitted=101,
        ntm="F",
        hs=["09"],
        first_met=30,
        cost=Cost.FROM_1K_TO_10K,
        steps="Asked three intermediaries for quotes; none offered a price for micro sellers.",
        decisions=[Decision(S.PUBLISHED, 97)],
    ),
    DemoReport(
        "kahawa-payments",
        KAHAWA,
        "en",
        "Card payment providers will not onboard a Kenyan merchant selling to Europe",
        "Two international card payment providers turned down our application because we "
        "are registered in Kenya, so European customers cannot pay by card in our shop.",
        "We applied to two well-known online payment providers to accept cards from "
        "customers in the EU. Both declined: one does not onboard merchants registered in "
        "Kenya at all, the other asked for a company and bank account in an EU member state."
        "\n\nWe now ask customers to pay by bank transfer, and about half abandon their "
        "basket. A local payment aggregator works for Kenyan customers but cannot settle "
        "card payments from abroad.",
        "EU",
        Direction.EXPORTING,
        Mode.GOODS,
        ["ECOM-10"],
        58,
        submitted=57,
        visibility=V.ANONYMISED,
        ntm="G",
        hs=["09"],
        first_met=34,
        cost=Cost.FROM_10K_TO_50K,
        decisions=[Decision(S.PUBLISHED, 55)],
    ),
    DemoReport(
        "kahawa-samples",
        KAHAWA,
        "en",
        "Phytosanitary certificate demanded for 100 g roasted coffee samples",
        "Customs asked for a phytosanitary certificate for roasted coffee samples sent to a "
        "buyer, although roasted coffee is a processed product.",
        "We sent five 100 g sample bags of roasted coffee to a café chain. The parcel was "
        "held and the buyer was told a phytosanitary certificate was needed. Our plant "
        "health inspectorate says roasted coffee does not need one and will not issue it.",
        "AE",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-03", "ECOM-08"],
        5,
        submitted=2,
        ntm="A",
        hs=["09"],
        first_met=3,
        cost=Cost.UNDER_1K,
    ),
    DemoReport(
        "kahawa-returns",
        KAHAWA,
        "en",
        "Import duty charged again on coffee returned from the United Kingdom",
        "When a UK customer refuses a parcel, it comes back to Kenya and we are charged "
        "import duty on our own coffee.",
        "Refused parcels from the United Kingdom come back to Nairobi and are treated as new "
        "imports. We pay duty and a clearance fee on goods we exported, unless we file a "
        "returned-goods claim with the original export papers, which the courier cannot "
        "give us for postal shipments.",
        "GB",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-02", "SME-03"],
        41,
        submitted=40,
        hs=["09"],
        cost=Cost.UNDER_1K,
        decisions=[
            Decision(S.PUBLISHED, 38),
            Decision(
                S.RESOLVED_IN_FULL,
                11,
                "The revenue authority now accepts the courier's export manifest as proof for "
                "returned consumer parcels; the reporter confirms no duty was charged on the "
                "last two returns.",
            ),
        ],
    ),
    DemoReport(
        "kahawa-draft",
        KAHAWA,
        "en",
        "Courier surcharge for deliveries to rural addresses abroad",
        "Notes for a report we have not finished.",
        "",
        "CA",
        Direction.EXPORTING,
        Mode.GOODS,
        [],
        3,
    ),
    DemoReport(
        "alpaca-us-samples",
        ALPACA,
        "es",
        "Muestras de prendas de alpaca retenidas en la aduana de EE. UU.",
        "Las muestras que enviamos a tiendas de EE. UU. quedan retenidas semanas porque ahora "
        "se exige una declaración formal aunque su valor sea inferior a 100 dólares.",
        "Enviamos por courier muestras de chompas y chalinas de alpaca a tiendas de Nueva York "
        "y California. Desde el año pasado, cada envío pequeño necesita una declaración "
        "formal tramitada por un agente de aduanas.\n\nTres envíos estuvieron retenidos más "
        "de tres semanas y perdimos dos pedidos de temporada. El costo del agente supera el "
        "valor de las muestras.",
        "US",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-01", "SME-03"],
        82,
        submitted=80,
        ntm="C",
        hs=["61", "62"],
        first_met=10,
        cost=Cost.FROM_10K_TO_50K,
        steps="Consultamos con la cámara de comercio y con dos empresas de courier.",
        decisions=[
            Decision(S.PUBLISHED, 77),
            Decision(
                S.ARCHIVED,
                32,
                "Archivado: la misma barrera se sigue en el informe sobre el fin de la exención "
                "para envíos de bajo valor a EE. UU., que Alpaca Andina ha firmado.",
            ),
        ],
    ),
    DemoReport(
        "alpaca-us-duplicate",
        ALPACA,
        "es",
        "Las nuevas reglas de minimis en EE. UU. encarecen cada pedido pequeño",
        "Cada pedido pequeño a EE. UU. paga ahora aranceles y tarifas de agente de aduanas.",
        "Los pedidos de nuestra tienda en línea a clientes en EE. UU. ya no entran como envíos "
        "de bajo valor. Cada pedido paga aranceles y la tarifa de un agente de aduanas.",
        "US",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-01"],
        86,
        submitted=85,
        hs=["61"],
        decisions=[
            Decision(
                S.DUPLICATE,
                83,
                "Gracias. Esta barrera ya está publicada; la hemos unido al informe original. "
                "Puede firmarlo para sumar su voz.",
            )
        ],
        duplicate_of="kahawa-us-de-minimis",
    ),
    DemoReport(
        "alpaca-eu-marketplace",
        ALPACA,
        "es",
        "Un marketplace europeo exige representante fiscal local para vender prendas",
        "Para vender en un marketplace europeo nos piden un representante fiscal en la UE y "
        "un número de IVA, aunque nuestras ventas allí son muy pequeñas.",
        "Abrimos una tienda en un marketplace europeo. Tras la verificación del vendedor, la "
        "plataforma bloqueó las ventas hasta que presentemos un número de IVA de la UE y los "
        "datos de un representante fiscal.\n\nEl representante cuesta más de 2.000 euros al "
        "año, más que nuestras ventas previstas en el primer año.",
        "EU",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-04", "SME-05", "SME-02"],
        56,
        submitted=54,
        visibility=V.ANONYMISED,
        ntm="J",
        hs=["61"],
        first_met=6,
        cost=Cost.FROM_1K_TO_10K,
        decisions=[Decision(S.PUBLISHED, 52)],
    ),
    DemoReport(
        "alpaca-mx-labels",
        ALPACA,
        "es",
        "Etiquetas en español con datos del importador exigidas antes de la entrada a México",
        "Las prendas deben llevar etiquetas con la composición de fibra y el registro fiscal "
        "del importador antes de cruzar la frontera, lo que impide vender directo al "
        "consumidor.",
        "Para vender por internet a consumidores en México, cada prenda debe llevar antes de "
        "la importación una etiqueta con el registro fiscal del importador. Cuando vendemos "
        "directo al consumidor no hay importador registrado, así que no podemos cumplir.",
        "MX",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-04", "ECOM-14"],
        150,
        submitted=149,
        ntm="B",
        hs=["61"],
        first_met=22,
        cost=Cost.FROM_1K_TO_10K,
        decisions=[
            Decision(S.PUBLISHED, 146),
            Decision(
                S.RESOLVED_IN_PART,
                74,
                "La aduana acepta ahora que el courier actúe como importador de los envíos a "
                "consumidores; las etiquetas siguen siendo obligatorias antes de la entrada.",
            ),
            Decision(
                S.RESOLVED_IN_FULL,
                20,
                "Resuelto: la etiqueta puede colocarse ahora en el almacén del courier en México, "
                "antes de la entrega, y Alpaca Andina confirma que vende de nuevo directamente "
                "a los consumidores.",
            ),
        ],
    ),
    DemoReport(
        "alpaca-br-payments",
        ALPACA,
        "es",
        "Pagos con tarjeta de clientes brasileños rechazados",
        "Los pagos con tarjeta de clientes en Brasil son rechazados por el procesador.",
        "Muchos pagos de clientes en Brasil son rechazados.",
        "BR",
        Direction.EXPORTING,
        Mode.GOODS,
        ["ECOM-10"],
        14,
        submitted=13,
        visibility=V.OFFICIALS_ONLY,
        decisions=[
            Decision(
                S.CHANGES_REQUESTED,
                11,
                "Gracias por su informe. ¿Puede explicar qué mensaje de error reciben los "
                "clientes y si el rechazo viene del banco del cliente o de su procesador? Sin "
                "ese detalle los funcionarios no pueden identificar la norma.",
            )
        ],
    ),
    DemoReport(
        "song-id-hosting",
        SONG,
        "en",
        "Client asks for in-country hosting of all personal data before signing a SaaS deal",
        "A retail chain in Indonesia will only sign our booking software contract if every "
        "customer record is hosted in Indonesia, citing data rules for electronic systems.",
        "We sell a booking and loyalty platform hosted in Singapore. A retail chain in "
        "Indonesia chose our product, but its legal team says personal data of its customers "
        "must be stored in-country under the rules for electronic system operators.\n\nRunning "
        "a separate data centre deployment for one client would double our hosting cost and "
        "our security audit work. We are not sure whether the rule applies to us at all; "
        "nobody could give us a written answer.",
        "ID",
        Direction.EXPORTING,
        Mode.DIGITAL,
        ["ECOM-X02", "ECOM-16", "ECOM-18"],
        87,
        submitted=86,
        first_met=7,
        cost=Cost.FROM_50K_TO_250K,
        steps="Asked the client's lawyers and a local law firm; received conflicting advice.",
        decisions=[
            Decision(S.PUBLISHED, 83),
            Decision(
                S.RESOLVED_IN_PART,
                18,
                "An explanatory note now says private operators may host personal data abroad "
                "if they meet the transfer conditions; public-sector clients must still host "
                "in the country.",
            ),
        ],
    ),
    DemoReport(
        "song-cn-transfer",
        SONG,
        "en",
        "Cross-border data transfer approval takes months for a small analytics contract",
        "An analytics contract worth USD 30,000 needs a security assessment before data can "
        "leave the country; the client estimates four to six months.",
        "A client in China wants us to analyse sales data from its online shop. Its compliance "
        "team says the transfer of the data to our team in Viet Nam needs a prior assessment. "
        "For a three-month project the approval takes longer than the work.",
        "CN",
        Direction.EXPORTING,
        Mode.SERVICES,
        ["ECOM-X01", "ECOM-16"],
        49,
        submitted=48,
        visibility=V.OFFICIALS_ONLY,
        cost=Cost.FROM_10K_TO_50K,
        decisions=[Decision(S.PUBLISHED, 47)],
    ),
    DemoReport(
        "song-source-code",
        SONG,
        "en",
        "Source code disclosure asked as a condition for a public tender",
        "A municipal tender for a parking app requires foreign bidders to deposit their full "
        "source code with a local agency.",
        "The tender documents require foreign suppliers to deposit the full source code of "
        "their software, including libraries we license from third parties, with a local "
        "agency before the award. Local bidders do not have to.",
        "SA",
        Direction.EXPORTING,
        Mode.DIGITAL,
        ["ECOM-X03"],
        12,
        submitted=11,
        visibility=V.OFFICIALS_ONLY,
        ntm="M",
        decisions=[Decision(S.PUBLISHED, 9)],
    ),
    DemoReport(
        "song-mx-invoices",
        SONG,
        "en",
        "Electronic invoices from a foreign supplier were refused by the tax portal",
        "Our client in Mexico could not deduct our invoices because the tax portal accepted "
        "only invoices stamped by a local certified provider.",
        "Our Mexican client needed electronic invoices in the national format. We used a "
        "local certified provider at extra cost; the portal then accepted them.",
        "MX",
        Direction.EXPORTING,
        Mode.SERVICES,
        ["ECOM-07"],
        131,
        submitted=130,
        visibility=V.ANONYMISED,
        active=False,
        cost=Cost.UNDER_1K,
        decisions=[
            Decision(S.PUBLISHED, 127),
            Decision(
                S.RESOLVED_IN_FULL,
                53,
                "The tax authority published guidance for foreign service suppliers; the "
                "reporter confirms their client now deducts the invoices.",
            ),
        ],
    ),
    DemoReport(
        "song-dst",
        SONG,
        "en",
        "Digital services tax registration for a studio with tiny local sales",
        "We must register for a digital services tax although our sales there are small.",
        "We have a few customers in Türkiye and were told to register.",
        "TR",
        Direction.EXPORTING,
        Mode.DIGITAL,
        ["ECOM-11"],
        35,
        submitted=34,
        decisions=[
            Decision(
                S.REJECTED,
                33,
                "Thank you. The report does not say which obligation applies or what happened "
                "when you tried to comply, and the tax applies to local firms too. You are "
                "welcome to raise it in the Trade Dialogues on digital taxes.",
            )
        ],
    ),
    DemoReport(
        "karite-marketplace",
        KARITE,
        "fr",
        "Enregistrement obligatoire des vendeurs étrangers sur une place de marché européenne",
        "La place de marché exige un numéro d'enregistrement de l'entreprise dans l'UE et une "
        "personne responsable établie dans l'Union avant toute vente de cosmétiques.",
        "Nous vendons des beurres de karité et des savons artisanaux. Pour ouvrir notre "
        "boutique sur une place de marché européenne, la plateforme demande un numéro "
        "d'enregistrement dans l'UE, une personne responsable établie dans l'Union et la "
        "notification préalable de chaque produit.\n\nLes prestataires qui jouent le rôle de "
        "personne responsable demandent 1 500 euros par an et par gamme : c'est plus que notre "
        "chiffre d'affaires européen.",
        "EU",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-04", "SME-05"],
        68,
        submitted=66,
        ntm="B",
        hs=["33", "34"],
        first_met=16,
        cost=Cost.FROM_1K_TO_10K,
        steps="Contact avec l'agence de promotion des exportations et avec deux prestataires.",
        decisions=[Decision(S.PUBLISHED, 64)],
    ),
    DemoReport(
        "karite-notification",
        KARITE,
        "fr",
        "Notification cosmétique exigée avant toute vente en ligne, même en petites quantités",
        "Chaque produit doit être notifié sur un portail avant la vente, avec un dossier de "
        "sécurité, même pour quelques dizaines d'unités vendues par an.",
        "Le dossier de sécurité de chaque savon coûte entre 400 et 800 euros chez un "
        "évaluateur agréé. Pour une gamme de douze produits vendus en petites séries, c'est "
        "impossible. Nous avons dû retirer la moitié de la gamme de notre boutique en ligne.",
        "EU",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-04", "ECOM-14"],
        49,
        submitted=47,
        visibility=V.ANONYMISED,
        ntm="B",
        hs=["33", "34"],
        first_met=24,
        cost=Cost.FROM_10K_TO_50K,
        decisions=[Decision(S.PUBLISHED, 45)],
    ),
    DemoReport(
        "karite-clearance-fees",
        KARITE,
        "fr",
        "Frais de dédouanement facturés par le transporteur pour des colis de moins de 50 euros",
        "Nos clientes en France paient jusqu'à 12 euros de frais de dédouanement pour un colis "
        "de savons de 30 euros.",
        "Le transporteur facture au destinataire des frais de présentation en douane qui "
        "dépassent souvent le tiers de la valeur de la commande.",
        "EU",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-01", "SME-03"],
        117,
        submitted=116,
        hs=["34"],
        cost=Cost.UNDER_1K,
        decisions=[
            Decision(S.PUBLISHED, 113),
            Decision(
                S.ARCHIVED,
                81,
                "Archivé : la même barrière est suivie dans le rapport sur la TVA à "
                "l'importation des petits envois.",
            ),
        ],
    ),
    DemoReport(
        "karite-mobile-money",
        KARITE,
        "fr",
        "Paiements par mobile money bloqués pour les clientes de Côte d'Ivoire",
        "Les paiements par mobile money de nos clientes ivoiriennes sont refusés dès que le "
        "marchand est enregistré au Sénégal.",
        "Nos clientes d'Abidjan veulent payer par mobile money. L'opérateur refuse les "
        "paiements vers un marchand enregistré dans un autre pays, même au sein de l'UEMOA.",
        "CI",
        Direction.EXPORTING,
        Mode.GOODS,
        ["ECOM-10"],
        3,
        submitted=1,
        hs=["33"],
    ),
    DemoReport(
        "karite-draft",
        KARITE,
        "fr",
        "Étiquetage en langue locale au Maroc",
        "Brouillon à compléter.",
        "",
        "MA",
        Direction.EXPORTING,
        Mode.GOODS,
        [],
        2,
    ),
    DemoReport(
        "eaea-tz-inspections",
        EAEA,
        "en",
        "Postal parcels to Tanzania inspected twice, adding a week to delivery",
        "Members report that small parcels sent by post to Tanzania are inspected at the "
        "border and again at the inward office of exchange, with a fee each time.",
        "Our members, mostly micro sellers of crafts, food and clothing, send parcels by post "
        "to customers in Tanzania. Since the start of the year parcels are inspected at the "
        "border post and again in Dar es Salaam. Each inspection adds a fee paid by the buyer "
        "and delivery now takes two to three weeks instead of one.",
        "TZ",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-03", "ECOM-08"],
        77,
        submitted=76,
        ntm="C",
        first_met=8,
        cost=Cost.FROM_10K_TO_50K,
        decisions=[
            Decision(S.PUBLISHED, 71),
            Decision(
                S.RESOLVED_IN_PART,
                4,
                "The second inspection at the inward office of exchange has stopped for postal "
                "parcels under USD 100; the inspection at the border remains.",
            ),
        ],
    ),
    DemoReport(
        "eaea-ke-registration",
        EAEA,
        "en",
        "Foreign online sellers must register locally before selling to Kenyan consumers",
        "Sellers from neighbouring countries are asked to register a local company before "
        "they can ship to Kenyan consumers, which stops regional e-commerce.",
        "Members in Uganda and Rwanda who sell to Kenyan consumers were asked by a courier to "
        "show a Kenyan company registration. It is not clear which rule requires it.",
        "KE",
        Direction.IMPORTING,
        Mode.GOODS,
        ["SME-05"],
        63,
        submitted=61,
        first_met=9,
        cost=Cost.UNKNOWN,
        decisions=[
            Decision(S.PUBLISHED, 59),
            Decision(
                S.RESOLVED_IN_PART,
                39,
                "The Ministry confirmed no company registration is needed for occasional "
                "consumer sales; couriers have been informed. Tax registration questions "
                "remain open.",
            ),
            Decision(
                S.RESOLVED_IN_FULL,
                9,
                "The revenue authority confirmed that occasional sellers below the threshold "
                "need not register for tax; members confirm couriers deliver their parcels.",
            ),
        ],
    ),
    DemoReport(
        "eaea-ug-agent",
        EAEA,
        "en",
        "Local agent required for cross-border online sellers shipping to Uganda",
        "Couriers ask sellers from Kenya to appoint a clearing agent in Uganda for every "
        "consumer parcel.",
        "Members shipping consumer parcels to Uganda are told each parcel needs a licensed "
        "clearing agent in Uganda, even for parcels worth under USD 50.",
        "UG",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-03", "SME-05"],
        6,
        submitted=4,
    ),
    DemoReport(
        "eaea-us-marketplace",
        EAEA,
        "en",
        "Marketplace delists sellers without a return address in the United States",
        "A large marketplace removed listings of several East African sellers because they "
        "have no return address in the United States.",
        "Members selling handmade goods lost their listings when the marketplace required a "
        "domestic return address. Return services cost more than the goods.",
        "US",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-04"],
        36,
        submitted=35,
        visibility=V.ANONYMISED,
        cost=Cost.FROM_1K_TO_10K,
        decisions=[
            Decision(S.PUBLISHED, 33),
            Decision(
                S.RESOLVED_IN_FULL,
                25,
                "The marketplace now accepts a return address in the seller's country for "
                "handmade goods; members confirm their listings are back.",
            ),
        ],
    ),
    DemoReport(
        "karite-ma-invoices",
        KARITE,
        "fr",
        "Colis de savons retenus au Maroc : l'original papier de la facture est exigé",
        "Nos colis pour le Maroc restent en entrepôt tant que l'original signé de la facture "
        "n'est pas arrivé par la poste, alors que la facture électronique accompagne déjà "
        "l'envoi.",
        "Nous expédions des savons et des beurres de karité à des boutiques de Casablanca et "
        "de Rabat, en colis de moins de 300 euros. Le transporteur nous demande désormais "
        "l'original papier signé de la facture : la facture électronique jointe au colis ne "
        "suffit plus.\n\nL'original met dix jours à arriver. Pendant ce temps, le colis "
        "attend en entrepôt et nos clientes paient des frais de stockage.",
        "MA",
        Direction.EXPORTING,
        Mode.GOODS,
        ["ECOM-07", "ECOM-08"],
        110,
        submitted=109,
        hs=["34"],
        first_met=4,
        cost=Cost.UNDER_1K,
        steps="Appel au transporteur et au transitaire de nos clientes à Casablanca.",
        decisions=[
            Decision(S.PUBLISHED, 106),
            Decision(
                S.RESOLVED_IN_FULL,
                60,
                "Résolu : la douane accepte désormais la facture électronique pour les envois "
                "de moins de 500 euros, et la rapportrice confirme que ses colis passent.",
            ),
            Decision(
                S.PUBLISHED,
                46,
                "Rouvert à la demande de la rapportrice : deux bureaux de dédouanement exigent "
                "de nouveau l'original papier.",
            ),
        ],
    ),
    DemoReport(
        "eaea-rw-clearance-fee",
        EAEA,
        "en",
        "A fixed clearance fee on consumer parcels to Rwanda costs more than most orders",
        "Couriers charge buyers in Rwanda a fixed clearance fee of about USD 25 on every "
        "parcel, whatever its value, so our members' USD 15-30 orders no longer sell.",
        "Our members sell crafts, tea and clothing to consumers in Kigali through their own "
        "web shops and social media. Each parcel, even one worth USD 12, now needs a full "
        "customs declaration, and couriers pass a fixed fee of about USD 25 on to the buyer."
        "\n\nMost buyers refuse the parcel or cancel the order when they see the fee. Members "
        "have stopped advertising in Rwanda, although it was one of their fastest-growing "
        "markets.",
        "RW",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-01", "SME-03"],
        123,
        submitted=122,
        ntm="F",
        first_met=5,
        cost=Cost.FROM_10K_TO_50K,
        steps="Surveyed 40 members; met two couriers' regional managers.",
        decisions=[
            Decision(S.PUBLISHED, 119),
            Decision(
                S.RESOLVED_IN_PART,
                67,
                "The revenue authority now accepts a simplified declaration, without a broker, "
                "for consumer parcels under USD 200. Couriers still charge their own handling "
                "fee.",
            ),
        ],
    ),
    DemoReport(
        "alpaca-us-gateway",
        ALPACA,
        "es",
        "Una pasarela de pagos exige una cuenta bancaria en EE. UU. para cobrar en dólares",
        "Para cobrar con tarjeta a clientes de Estados Unidos, la pasarela que usan la mayoría "
        "de tiendas en línea nos pide una empresa y una cuenta bancaria en ese país.",
        "Nuestros clientes en Estados Unidos pagan hoy por transferencia o con un servicio "
        "que cobra un 6 % de comisión. Pedimos una cuenta de comercio a una pasarela "
        "internacional, que rechazó la solicitud porque la empresa está registrada en Perú y "
        "no tiene cuenta bancaria en EE. UU.\n\nAbrir una sociedad en Estados Unidos solo para "
        "cobrar cuesta unos 1.500 dólares al año, más la contabilidad. Calculamos que perdemos "
        "uno de cada tres pedidos en el momento del pago.",
        "US",
        Direction.EXPORTING,
        Mode.GOODS,
        ["ECOM-10"],
        43,
        submitted=42,
        hs=["61"],
        first_met=14,
        cost=Cost.FROM_10K_TO_50K,
        steps="Probamos con dos pasarelas y con nuestro banco; solo una aceptó, con una "
        "comisión del 6 %.",
        decisions=[Decision(S.PUBLISHED, 40)],
    ),
    DemoReport(
        "karite-ca-marketplace",
        KARITE,
        "fr",
        "Une place de marché canadienne exige un numéro d'entreprise local pour ouvrir une "
        "boutique",
        "Pour vendre nos cosmétiques sur une grande place de marché au Canada, on nous demande "
        "un numéro d'entreprise canadien et une adresse de retour dans le pays.",
        "Nous avons des clientes au Québec qui commandent aujourd'hui par message et paient "
        "par virement. La place de marché qu'elles utilisent refuse notre inscription : elle "
        "exige un numéro d'entreprise et un numéro de taxes canadiens, ainsi qu'une adresse "
        "de retour au Canada.\n\nL'inscription aux taxes comme vendeur non résident existe, "
        "mais la procédure est longue et nous ne savons pas si nos petites ventes l'exigent.",
        "CA",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-04", "SME-05"],
        30,
        submitted=29,
        hs=["33", "34"],
        first_met=3,
        cost=Cost.FROM_1K_TO_10K,
        decisions=[Decision(S.PUBLISHED, 27)],
    ),
    DemoReport(
        "song-my-cloud",
        SONG,
        "en",
        "Public-sector clients may only buy software hosted in a local data centre",
        "Two public-sector clients in Malaysia could not renew our scheduling software: new "
        "rules require hosting in the country by a provider on an approved list.",
        "For three years we have sold a staff-scheduling platform, hosted in Singapore, to "
        "the administrations of two public hospitals. Their new procurement rules say that "
        "software used by public bodies must be hosted in Malaysia by an approved provider."
        "\n\nApproved providers charge three times what we pay today, and the list is closed "
        "to new applicants until next year. We are losing two of our five largest contracts.",
        "MY",
        Direction.EXPORTING,
        Mode.DIGITAL,
        ["ECOM-X02", "ECOM-18"],
        29,
        submitted=28,
        ntm="M",
        first_met=2,
        cost=Cost.FROM_50K_TO_250K,
        steps="Asked the clients' procurement offices and two approved providers.",
        decisions=[Decision(S.PUBLISHED, 26)],
    ),
    DemoReport(
        "alpaca-co-samples",
        ALPACA,
        "es",
        "Las muestras sin valor comercial pagan aranceles al entrar en Colombia",
        "Las muestras de tejidos que enviamos a tiendas de Bogotá pagan aranceles e IVA como "
        "si fueran ventas, aunque la factura indica que no tienen valor comercial.",
        "Enviamos a tiendas de Bogotá y Medellín cajas con muestras de tejidos y dos o tres "
        "prendas de talla única. La aduana las trata como importaciones ordinarias: el "
        "cliente paga arancel, IVA y la tarifa del courier, unos 60 dólares por caja.\n\n"
        "Varias tiendas ya no aceptan muestras, y sin ellas no hacen pedidos de temporada.",
        "CO",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-01", "SME-03"],
        24,
        submitted=22,
        hs=["61"],
        first_met=5,
        cost=Cost.FROM_1K_TO_10K,
        steps="Pedimos al courier declarar las cajas como muestras; la aduana no lo aceptó.",
        decisions=[Decision(S.PUBLISHED, 20)],
    ),
    DemoReport(
        "eaea-za-registration",
        EAEA,
        "en",
        "Marketplace asks foreign sellers for a South African VAT number from the first sale",
        "A large South African marketplace now requires every foreign seller to show a local "
        "VAT registration before listing, whatever their sales.",
        "Several members sold handmade goods and tea through a South African marketplace. "
        "The platform now asks every foreign seller for a South African VAT number before "
        "listing, citing the rules for foreign suppliers of electronic services.\n\nOur "
        "members sell goods, not electronic services, and their sales are far below the "
        "registration threshold. The platform's help desk could not say which rule applies.",
        "ZA",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-04", "SME-05", "SME-02"],
        18,
        submitted=17,
        first_met=2,
        cost=Cost.FROM_1K_TO_10K,
        decisions=[Decision(S.PUBLISHED, 15)],
    ),
    DemoReport(
        "karite-gateway-closed",
        KARITE,
        "fr",
        "Compte marchand fermé sans préavis : une passerelle de paiement ne sert plus le Sénégal",
        "Une passerelle de paiement a fermé notre compte et bloque 2 300 euros pendant 120 "
        "jours, au motif que les entreprises établies au Sénégal ne sont plus acceptées.",
        "Nous utilisions cette passerelle depuis deux ans pour encaisser les paiements par "
        "carte de nos clientes en France et en Belgique. Un matin, le compte a été fermé sans "
        "préavis : selon le message reçu, les entreprises établies au Sénégal ne peuvent plus "
        "être servies.\n\nLes fonds en attente sont bloqués pendant 120 jours. Nous avons "
        "perdu un mois de ventes, le temps de trouver un autre moyen de paiement, plus cher.",
        "EU",
        Direction.EXPORTING,
        Mode.GOODS,
        ["ECOM-10"],
        11,
        submitted=10,
        hs=["33"],
        first_met=1,
        cost=Cost.FROM_1K_TO_10K,
        steps="Deux réclamations auprès de la passerelle, restées sans réponse.",
        decisions=[Decision(S.PUBLISHED, 8)],
    ),
    DemoReport(
        "alpaca-cl-marketplace",
        ALPACA,
        "es",
        "Un marketplace chileno exige RUT y representante legal en Chile a los vendedores "
        "extranjeros",
        "Para vender en un marketplace de Chile nos piden un RUT chileno y un representante "
        "legal con domicilio en el país, aunque enviamos desde Perú.",
        "Tenemos clientes en Santiago que nos conocen por las redes sociales. El marketplace "
        "más usado en Chile abrió su registro a vendedores internacionales, pero exige un RUT "
        "y un representante legal domiciliado en Chile.\n\nUn representante cobra unos 150 "
        "dólares al mes. Con ventas de 400 dólares al mes, no es viable.",
        "CL",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-04", "SME-05"],
        7,
        submitted=6,
        hs=["61"],
        first_met=1,
        cost=Cost.UNDER_1K,
        decisions=[Decision(S.PUBLISHED, 5)],
    ),
    DemoReport(
        "song-th-client-list",
        SONG,
        "en",
        "Tax office asks for our full client list before confirming a VAT registration",
        "To confirm our VAT registration for digital services, the tax office asks for the "
        "names and contracts of all our clients in the country, which our contracts forbid "
        "us to share.",
        "We registered for VAT on electronic services as a foreign supplier, as the law "
        "requires. The tax office then asked for a list of all our clients in the country, "
        "with copies of their contracts, before it would confirm the registration.\n\nOur "
        "contracts have confidentiality clauses, and two clients are hospitals. We chose "
        "'officials only' because we do not want our clients named in public.",
        "TH",
        Direction.EXPORTING,
        Mode.DIGITAL,
        ["ECOM-16", "ECOM-18"],
        8,
        submitted=7,
        visibility=V.OFFICIALS_ONLY,
        first_met=1,
        cost=Cost.FROM_1K_TO_10K,
        decisions=[Decision(S.PUBLISHED, 6)],
    ),
    DemoReport(
        "kahawa-jp-notification",
        KAHAWA,
        "en",
        "Each coffee parcel to a consumer in Japan needs its own food import notification",
        "The courier holds every parcel of roasted coffee for a buyer in Japan, even a single "
        "250 g bag, until the buyer files a food import notification.",
        "A café owner in Osaka introduced our coffee to her customers, who now order one or "
        "two bags through our web shop. The courier holds each parcel until the buyer files "
        "a food import notification or proves the coffee is for personal use.\n\nTwo buyers "
        "gave up and the parcels came back to Nairobi at our cost. We would gladly register "
        "once as an exporter if that were possible.",
        "JP",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-01", "SME-03"],
        5,
        submitted=4,
        ntm="A",
        hs=["09"],
        first_met=2,
        cost=Cost.UNDER_1K,
        decisions=[Decision(S.PUBLISHED, 2)],
    ),
    DemoReport(
        "alpaca-us-verification",
        ALPACA,
        "es",
        "La verificación de identidad de un marketplace de EE. UU. es imposible desde Perú",
        "El marketplace nos pide una videollamada en horario de EE. UU. y un documento de "
        "identidad emitido en ese país o en la Unión Europea para verificar la tienda.",
        "Tras abrir la tienda, el marketplace la suspendió hasta completar una verificación "
        "de identidad por videollamada. Las citas son en horario de la costa este y el "
        "formulario solo acepta documentos emitidos en Estados Unidos o en la Unión Europea."
        "\n\nNuestro DNI y nuestro pasaporte peruanos fueron rechazados dos veces.",
        "US",
        Direction.EXPORTING,
        Mode.GOODS,
        ["SME-04", "SME-05"],
        3,
        submitted=2,
        hs=["61"],
        first_met=1,
        cost=Cost.UNDER_1K,
    ),
]

# report key, signer, impact, comment, days ago
COSIGNATURES = [
    ("kahawa-eu-vat", EAEA, Impact.SERIOUS, "", 95),
    ("kahawa-eu-vat", KARITE, Impact.MODERATE, "Même problème pour nos savons.", 90),
    (
        "kahawa-us-de-minimis",
        ALPACA,
        Impact.SERIOUS,
        "Nos pasa lo mismo con muestras y pedidos pequeños.",
        87,
    ),
    (
        "kahawa-us-de-minimis",
        EAEA,
        Impact.SERIOUS,
        "Twelve of our members have stopped shipping single items to the US.",
        82,
    ),
    ("song-id-hosting", EAEA, Impact.MINOR, "", 79),
    ("eaea-tz-inspections", KAHAWA, Impact.SERIOUS, "Our parcels to Arusha take three weeks.", 70),
    ("kahawa-us-de-minimis", KARITE, Impact.MODERATE, "", 71),
    ("karite-marketplace", KAHAWA, Impact.MODERATE, "", 62),
    ("karite-marketplace", ALPACA, Impact.SERIOUS, "", 61),
    (
        "kahawa-payments",
        SONG,
        Impact.SERIOUS,
        "The same gateways refused our studio in Viet Nam.",
        54,
    ),
    ("kahawa-payments", KARITE, Impact.MODERATE, "", 50),
    ("alpaca-eu-marketplace", KARITE, Impact.SERIOUS, "", 49),
    ("alpaca-us-gateway", SONG, Impact.MODERATE, "", 37),
    (
        "alpaca-us-gateway",
        KAHAWA,
        Impact.SERIOUS,
        "We lose about half of our US baskets at the payment step.",
        34,
    ),
    ("karite-ca-marketplace", ALPACA, Impact.MODERATE, "Nos pidieron lo mismo en Canadá.", 24),
    ("song-my-cloud", EAEA, Impact.MINOR, "", 23),
    ("alpaca-co-samples", KAHAWA, Impact.MODERATE, "", 18),
    ("eaea-za-registration", KAHAWA, Impact.SERIOUS, "", 14),
    (
        "eaea-za-registration",
        KARITE,
        Impact.MODERATE,
        "La même plateforme nous a demandé un numéro de TVA sud-africain.",
        12,
    ),
    ("karite-gateway-closed", KAHAWA, Impact.SERIOUS, "", 7),
    (
        "karite-gateway-closed",
        SONG,
        Impact.MODERATE,
        "Our account with another gateway was closed the same way.",
        6,
    ),
    ("alpaca-cl-marketplace", KARITE, Impact.MODERATE, "", 4),
    ("alpaca-cl-marketplace", EAEA, Impact.MINOR, "", 3),
    ("kahawa-jp-notification", EAEA, Impact.MODERATE, "", 1),
]

# report key, official, body, days ago
RESPONSES = [
    (
        "kahawa-us-de-minimis",
        KENYA_OFFICIAL,
        "The Ministry has raised the end of the low-value exemption in our bilateral trade "
        "talks, and the export promotion council is testing consolidated shipments for small "
        "exporters. We will post the results of the pilot here.",
        86,
    ),
    (
        "song-id-hosting",
        IO_OFFICIAL,
        "Merci pour ce signalement précis. Nous avons transmis la question aux autorités "
        "compétentes dans le cadre de notre programme d'assistance technique : les règles "
        "distinguent les opérateurs publics et privés, et une note explicative pour les "
        "fournisseurs étrangers est en préparation.",
        80,
    ),
    (
        "alpaca-us-samples",
        PERU_OFFICIAL,
        "La Administración de Aduanas del Perú ofrece orientación sobre el régimen de "
        "exportación simplificada para envíos de muestras. Escríbanos para revisar su caso.",
        75,
    ),
    (
        "eaea-tz-inspections",
        KENYA_OFFICIAL,
        "The Ministry has raised the double inspection of postal parcels with our "
        "counterparts under the EAC customs cooperation framework. We will report back here "
        "after the next technical meeting.",
        69,
    ),
    (
        "karite-marketplace",
        IO_OFFICIAL,
        "Nous avons inscrit la question des personnes responsables établies dans l'Union à "
        "l'ordre du jour de notre dialogue sur les petits exportateurs. Un guide des "
        "services mutualisés, moins coûteux, sera publié ici.",
        56,
    ),
    (
        "alpaca-eu-marketplace",
        IO_OFFICIAL,
        "Les règles varient selon l'État membre et le régime choisi, et certaines places de "
        "marché vont au-delà de ce que la réglementation exige. Nous avons demandé à la "
        "plateforme sur quelle règle elle s'appuie et nous vous répondrons ici.",
        48,
    ),
    (
        "karite-notification",
        IO_OFFICIAL,
        "Les exigences de sécurité s'appliquent à tous les produits, mais des guides "
        "simplifiés existent pour les petites séries. Nous organisons un atelier en ligne pour "
        "les producteurs d'Afrique de l'Ouest le mois prochain.",
        43,
    ),
    (
        "eaea-ke-registration",
        KENYA_OFFICIAL,
        "There is no requirement for foreign sellers to register a Kenyan company for "
        "occasional consumer sales. We have written to the courier associations.",
        42,
    ),
    (
        "song-my-cloud",
        IO_OFFICIAL,
        "Merci. Plusieurs pays de la région révisent leurs règles d'hébergement pour les "
        "organismes publics. Nous préparons une note sur les listes de prestataires agréés et "
        "sur la façon d'y être inscrit ; nous la partagerons ici.",
        24,
    ),
    (
        "alpaca-co-samples",
        PERU_OFFICIAL,
        "Para las muestras sin valor comercial, le recomendamos declarar la exportación con "
        "el régimen simplificado e indicarlo en la factura. Hemos pedido a la aduana "
        "colombiana, en el marco de la cooperación aduanera andina, que confirme el trato de "
        "estos envíos.",
        17,
    ),
    (
        "kahawa-returns",
        KENYA_OFFICIAL,
        "The Kenya Revenue Authority confirms that a courier's export manifest will be "
        "accepted as proof of export for returned consumer parcels. We will confirm here "
        "when the instruction to couriers is published.",
        15,
    ),
    (
        "eaea-za-registration",
        KENYA_OFFICIAL,
        "We will raise this in the committee on the AfCFTA digital trade protocol. "
        "Meanwhile, the Ministry's trade desk can help members read the platform's request: "
        "send us its message.",
        13,
    ),
    (
        "karite-gateway-closed",
        IO_OFFICIAL,
        "Ce type de fermeture, fondé sur le seul pays d'établissement, est décrit dans notre "
        "note comparative sur l'accès des PME aux passerelles de paiement. Nous transmettons "
        "votre cas, sans vous nommer, au groupe de travail sur les paiements transfrontières.",
        6,
    ),
    (
        "eaea-tz-inspections",
        KENYA_OFFICIAL,
        "After the technical meeting: the second inspection at the inward office of exchange "
        "stops for postal parcels under USD 100. The inspection at the border remains, and we "
        "continue to discuss it.",
        6,
    ),
    (
        "alpaca-cl-marketplace",
        PERU_OFFICIAL,
        "Gracias por el detalle. La aduana no puede intervenir en las reglas de un "
        "marketplace, pero hemos trasladado su caso a la Oficina Comercial del Perú en "
        "Santiago, que reúne casos similares para tratarlos con la plataforma.",
        4,
    ),
    (
        "song-cn-transfer",
        IO_OFFICIAL,
        "Nous suivons ce dossier avec les autorités concernées. En dessous de certains "
        "volumes, un contrat type de transfert peut remplacer l'évaluation préalable ; nous "
        "vérifions si votre contrat entre dans ce cas.",
        3,
    ),
]


def demo_report(key: str) -> BarrierReport | None:
    """The demo report told under `key`, once seeded (other packages' demos link to it)."""
    item = next(report for report in REPORTS if report.key == key)
    return BarrierReport.objects.filter(title=item.title, reporter__email=item.reporter).first()


@dataclass(order=True)
class _Event:
    when: dt.datetime
    sequence: int
    run: Callable[[dt.datetime], None] = field(compare=False)


class _Story:
    """Runs the story's events through the services in the order they happen, and dates
    each row at its moment in the story."""

    def __init__(self, clock: StoryClock) -> None:
        self.clock = clock
        self.events: list[_Event] = []
        self.people = {user.email: user for user in User.objects.filter(organisation__isnull=False)}
        self.moderator = User.objects.get(email=MODERATOR)
        self.topics = {topic.code: topic for topic in Topic.objects.all()}
        self.hs_chapters = {chapter.code: chapter for chapter in HsChapter.objects.all()}
        self.reports: dict[str, BarrierReport] = {}
        self.published: dict[str, dt.datetime] = {}

    def at(self, when: dt.datetime, run: Callable[[dt.datetime], None]) -> None:
        self.events.append(_Event(when, len(self.events), run))

    def tell(self) -> None:
        for event in sorted(self.events):
            event.run(event.when)

    # Reports ---------------------------------------------------------------------------------

    def plan_report(self, item: DemoReport) -> None:
        filed = self.clock.day(item.filed)
        self.at(filed, functools.partial(self.file, item))
        if item.submitted is None:
            return
        previous = self.clock.day(item.submitted, after=filed)
        self.at(previous, functools.partial(self.submit, item))
        for decision in item.decisions:
            previous = self.clock.day(decision.days_ago, after=previous)
            self.at(previous, functools.partial(self.decide, item, decision))
            if decision.status == S.PUBLISHED:
                self.published.setdefault(item.key, previous)

    def file(self, item: DemoReport, when: dt.datetime) -> None:
        reporter = self.people[item.reporter]
        report = services.report_draft_create(
            actor=reporter, title=item.title, summary=item.summary, language=item.language
        )
        first_met = None
        if item.first_met is not None:
            month = when.year * 12 + when.month - 1 - item.first_met
            first_met = dt.date(month // 12, month % 12 + 1, 1)
        services.report_draft_update(
            actor=reporter,
            report=report,
            changes={
                "description": item.description,
                "market": Country.objects.get(code=item.market),
                "trade_direction": item.direction,
                "delivery_mode": item.mode,
                "topics": [self.topics[code] for code in item.topics],
                "ntm_chapter": NtmChapter.objects.get(code=item.ntm) if item.ntm else None,
                "hs_chapters": [self.hs_chapters[code] for code in item.hs],
                "first_encountered": first_met,
                "still_active": item.active,
                "cost_band": item.cost,
                "steps_taken": item.steps,
                "visibility": item.visibility,
            },
        )
        BarrierReport.objects.filter(pk=report.pk).update(
            created_at=when, updated_at=when, status_changed_at=when
        )
        self.reports[item.key] = report

    def submit(self, item: DemoReport, when: dt.datetime) -> None:
        report = self.reports[item.key]
        # Numbered in the story's year, not the year the demo is loaded: the service keeps
        # a reference the report already has.
        with transaction.atomic():
            reference = services.reference_next(year=when.year)
            BarrierReport.objects.filter(pk=report.pk).update(reference=reference)
        report.refresh_from_db()
        services.report_submit(actor=self.people[item.reporter], report=report)
        self._dated(item.key, when, submitted_at=when)

    def decide(self, item: DemoReport, decision: Decision, when: dt.datetime) -> None:
        report = self.reports[item.key]
        first_publication = report.published_at is None and decision.status == S.PUBLISHED
        duplicate_of = self.reports[item.duplicate_of] if item.duplicate_of else None
        services.report_transition(
            actor=self.moderator,
            report=report,
            to_status=decision.status,
            note=decision.note,
            duplicate_of=duplicate_of,
        )
        self._dated(item.key, when, **({"published_at": when} if first_publication else {}))

    def _dated(self, key: str, when: dt.datetime, **fields: dt.datetime) -> None:
        """Date the report's latest status change, and the report with it."""
        report = self.reports[key]
        latest = report.status_changes.order_by("-created_at", "-id").first()
        if latest is not None:
            StatusChange.objects.filter(pk=latest.pk).update(created_at=when)
        BarrierReport.objects.filter(pk=report.pk).update(
            updated_at=when, status_changed_at=when, **fields
        )
        self.reports[key] = BarrierReport.objects.get(pk=report.pk)

    # Co-signatures and official responses -----------------------------------------------------

    def plan_cosignature(self, key: str, email: str, impact: str, comment: str, days: int) -> None:
        when = self.clock.day(days, after=self.published[key])
        self.at(when, functools.partial(self.cosign, key, email, impact, comment))

    def cosign(self, key: str, email: str, impact: str, comment: str, when: dt.datetime) -> None:
        signer, report = self.people[email], self.reports[key]
        if not can_cosign(signer, report):
            raise ValueError(f"Demo story: {email} cannot co-sign {key} ({report.status}).")
        cosignature = services.report_cosign(
            actor=signer, report=report, impact=impact, comment=comment
        )
        CoSignature.objects.filter(pk=cosignature.pk).update(created_at=when)

    def plan_response(self, key: str, email: str, body: str, days: int) -> None:
        when = self.clock.day(days, after=self.published[key])
        self.at(when, functools.partial(self.respond, key, email, body))

    def respond(self, key: str, email: str, body: str, when: dt.datetime) -> None:
        official, report = self.people[email], self.reports[key]
        if not can_respond_officially(official, report):
            raise ValueError(f"Demo story: {email} cannot answer {key} ({report.status}).")
        response = services.official_response_post(actor=official, report=report, body=body)
        OfficialResponse.objects.filter(pk=response.pk).update(created_at=when)


def seed(log: Callable[[str], None], *, today: dt.date | None = None) -> None:
    if BarrierReport.objects.exists():
        log("barrier reports already present; nothing to do")
        return
    story = _Story(StoryClock(today or story_today(), "submissions"))
    for item in REPORTS:
        story.plan_report(item)
    for cosignature in COSIGNATURES:
        story.plan_cosignature(*cosignature)
    for response in RESPONSES:
        story.plan_response(*response)
    story.tell()
    statuses = set(BarrierReport.objects.values_list("status", flat=True))
    log(f"{len(story.reports)} reports in {len(statuses)} statuses")
    log(f"{len(COSIGNATURES)} co-signatures")
    log(f"{len(RESPONSES)} official responses from verified officials")
    if settings.DEBUG:
        log("reporter emails are queued for the Celery worker (console email by default)")
