"""Demo barrier reports (run by `manage.py seed_demo` after portal.demo).

Twenty-five reports from the demo firms, in every status and visibility, some in French and
Spanish, with co-signatures and official responses. Everything goes through the services, so
the timelines, references and audit trail are real; dates are then spread over the last
three months so lists and the digest have something to show.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from portal.models import Country, HsChapter, NtmChapter, Topic, User
from submissions import services
from submissions.models import BarrierReport, CoSignature, OfficialResponse, StatusChange

S = BarrierReport.Status
V = BarrierReport.Visibility

KAHAWA = "wanjiru@kahawa-bora.example"
ALPACA = "rosa@alpaca-andina.example"
SONG = "minh@songcode.example"
KARITE = "awa@karite-teranga.example"
EAEA = "otieno@eaea.example"
KENYA_OFFICIAL = "j.mwangi@trade.go.ke.example"
PERU_OFFICIAL = "l.huaman@sunat.gob.pe.example"
IO_OFFICIAL = "c.martin@dtfc.int.example"
MODERATOR = "moderator@tradedialogues.example"


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
    days_ago: int
    visibility: str = V.PUBLIC
    ntm: str | None = None
    hs: list[str] = field(default_factory=list)
    first: tuple[int, int] | None = None
    active: bool | None = True
    cost: str = BarrierReport.CostBand.UNKNOWN
    steps: str = ""
    # Moderator decisions after submission: (status, note). None: stays a draft.
    path: list[tuple[str, str]] | None = field(default_factory=list)
    duplicate_of: str | None = None


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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-01", "SME-03"],
        88,
        ntm="C",
        hs=["09"],
        first=(2025, 9),
        cost=BarrierReport.CostBand.FROM_10K_TO_50K,
        steps="Asked two couriers for a consolidated shipping option; asked the Kenyan "
        "export promotion council for advice.",
        path=[(S.PUBLISHED, "")],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-02", "SME-01"],
        80,
        ntm="F",
        hs=["09"],
        first=(2024, 3),
        cost=BarrierReport.CostBand.FROM_1K_TO_10K,
        steps="Asked three intermediaries for quotes; none offered a price for micro sellers.",
        path=[(S.PUBLISHED, "")],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["ECOM-10"],
        75,
        visibility=V.ANONYMISED,
        ntm="G",
        hs=["09"],
        first=(2023, 11),
        cost=BarrierReport.CostBand.FROM_10K_TO_50K,
        path=[(S.PUBLISHED, "")],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-03", "ECOM-08"],
        9,
        ntm="A",
        hs=["09"],
        first=(2026, 8),
        cost=BarrierReport.CostBand.UNDER_1K,
        path=[],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-02", "SME-03"],
        40,
        hs=["09"],
        cost=BarrierReport.CostBand.UNDER_1K,
        path=[(S.PUBLISHED, "")],
    ),
    DemoReport(
        "kahawa-draft",
        KAHAWA,
        "en",
        "Courier surcharge for deliveries to rural addresses abroad",
        "Notes for a report we have not finished.",
        "",
        "CA",
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        [],
        3,
        path=None,
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-01", "SME-03"],
        70,
        ntm="C",
        hs=["61", "62"],
        first=(2025, 10),
        cost=BarrierReport.CostBand.FROM_10K_TO_50K,
        steps="Consultamos con la cámara de comercio y con dos empresas de courier.",
        path=[(S.PUBLISHED, "")],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-01"],
        60,
        hs=["61"],
        path=[
            (
                S.DUPLICATE,
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-04", "SME-05", "SME-02"],
        55,
        visibility=V.ANONYMISED,
        ntm="J",
        hs=["61"],
        first=(2026, 2),
        cost=BarrierReport.CostBand.FROM_1K_TO_10K,
        path=[(S.PUBLISHED, "")],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-04", "ECOM-14"],
        85,
        ntm="B",
        hs=["61"],
        first=(2024, 6),
        cost=BarrierReport.CostBand.FROM_1K_TO_10K,
        path=[
            (S.PUBLISHED, ""),
            (
                S.RESOLVED_IN_PART,
                "Customs now accepts a courier as importer of record for consumer parcels; "
                "labels are still required before entry.",
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["ECOM-10"],
        20,
        visibility=V.OFFICIALS_ONLY,
        path=[
            (
                S.CHANGES_REQUESTED,
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.DIGITAL,
        ["ECOM-X02", "ECOM-16", "ECOM-18"],
        78,
        first=(2026, 1),
        cost=BarrierReport.CostBand.FROM_50K_TO_250K,
        steps="Asked the client's lawyers and a local law firm; received conflicting advice.",
        path=[(S.PUBLISHED, "")],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.SERVICES,
        ["ECOM-X01", "ECOM-16"],
        50,
        visibility=V.OFFICIALS_ONLY,
        cost=BarrierReport.CostBand.FROM_10K_TO_50K,
        path=[(S.PUBLISHED, "")],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.DIGITAL,
        ["ECOM-X03"],
        6,
        visibility=V.OFFICIALS_ONLY,
        ntm="M",
        path=[],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.SERVICES,
        ["ECOM-07"],
        82,
        visibility=V.ANONYMISED,
        active=False,
        cost=BarrierReport.CostBand.UNDER_1K,
        path=[
            (S.PUBLISHED, ""),
            (
                S.RESOLVED_IN_FULL,
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.DIGITAL,
        ["ECOM-11"],
        30,
        path=[
            (
                S.REJECTED,
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-04", "SME-05"],
        66,
        ntm="B",
        hs=["33", "34"],
        first=(2025, 4),
        cost=BarrierReport.CostBand.FROM_1K_TO_10K,
        steps="Contact avec l'agence de promotion des exportations et avec deux prestataires.",
        path=[(S.PUBLISHED, "")],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-04", "ECOM-14"],
        58,
        visibility=V.ANONYMISED,
        ntm="B",
        hs=["33", "34"],
        first=(2024, 9),
        cost=BarrierReport.CostBand.FROM_10K_TO_50K,
        path=[(S.PUBLISHED, "")],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-01", "SME-03"],
        86,
        hs=["34"],
        cost=BarrierReport.CostBand.UNDER_1K,
        path=[
            (S.PUBLISHED, ""),
            (
                S.ARCHIVED,
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["ECOM-10"],
        4,
        hs=["33"],
        path=[],
    ),
    DemoReport(
        "karite-draft",
        KARITE,
        "fr",
        "Étiquetage en langue locale au Maroc",
        "Brouillon à compléter.",
        "",
        "MA",
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        [],
        2,
        path=None,
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-03", "ECOM-08"],
        72,
        ntm="C",
        first=(2026, 1),
        cost=BarrierReport.CostBand.FROM_10K_TO_50K,
        path=[(S.PUBLISHED, "")],
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
        BarrierReport.TradeDirection.IMPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-05"],
        64,
        first=(2025, 11),
        cost=BarrierReport.CostBand.UNKNOWN,
        path=[
            (S.PUBLISHED, ""),
            (
                S.RESOLVED_IN_PART,
                "The Ministry confirmed no company registration is needed for occasional "
                "consumer sales; couriers have been informed. Tax registration questions "
                "remain open.",
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-03", "SME-05"],
        12,
        path=[],
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
        BarrierReport.TradeDirection.EXPORTING,
        BarrierReport.DeliveryMode.GOODS,
        ["SME-04"],
        35,
        visibility=V.ANONYMISED,
        cost=BarrierReport.CostBand.FROM_1K_TO_10K,
        path=[(S.PUBLISHED, "")],
    ),
]

COSIGNATURES = [
    # report key, signer, impact, comment
    (
        "kahawa-us-de-minimis",
        ALPACA,
        CoSignature.Impact.SERIOUS,
        "Nos pasa lo mismo con muestras y pedidos pequeños.",
    ),
    ("kahawa-us-de-minimis", KARITE, CoSignature.Impact.MODERATE, ""),
    (
        "kahawa-us-de-minimis",
        EAEA,
        CoSignature.Impact.SERIOUS,
        "Twelve of our members have stopped shipping single items to the US.",
    ),
    ("kahawa-eu-vat", EAEA, CoSignature.Impact.SERIOUS, ""),
    ("kahawa-eu-vat", KARITE, CoSignature.Impact.MODERATE, "Même problème pour nos savons."),
    ("karite-marketplace", KAHAWA, CoSignature.Impact.MODERATE, ""),
    ("karite-marketplace", ALPACA, CoSignature.Impact.SERIOUS, ""),
    ("alpaca-eu-marketplace", KARITE, CoSignature.Impact.SERIOUS, ""),
    (
        "eaea-tz-inspections",
        KAHAWA,
        CoSignature.Impact.SERIOUS,
        "Our parcels to Arusha take three weeks.",
    ),
    ("song-id-hosting", EAEA, CoSignature.Impact.MINOR, ""),
]

RESPONSES = [
    # report key, official, body
    (
        "song-id-hosting",
        IO_OFFICIAL,
        "Merci pour ce signalement précis. Nous avons transmis la question aux autorités "
        "compétentes dans le cadre de notre programme d'assistance technique : les règles "
        "distinguent les opérateurs publics et privés, et une note explicative pour les "
        "fournisseurs étrangers est en préparation.",
    ),
    (
        "eaea-tz-inspections",
        KENYA_OFFICIAL,
        "The Ministry has raised the double inspection of postal parcels with our "
        "counterparts under the EAC customs cooperation framework. We will report back here "
        "after the next technical meeting.",
    ),
    (
        "karite-notification",
        IO_OFFICIAL,
        "Les exigences de sécurité s'appliquent à tous les produits, mais des guides "
        "simplifiés existent pour les petites séries. Nous organisons un atelier en ligne pour "
        "les producteurs d'Afrique de l'Ouest le mois prochain.",
    ),
    (
        "alpaca-us-samples",
        PERU_OFFICIAL,
        "La Administración de Aduanas del Perú ofrece orientación sobre el régimen de "
        "exportación simplificada para envíos de muestras. Escríbanos para revisar su caso.",
    ),
    (
        "eaea-ke-registration",
        KENYA_OFFICIAL,
        "There is no requirement for foreign sellers to register a Kenyan company for "
        "occasional consumer sales. We have written to the courier associations.",
    ),
]


def _shift(report: BarrierReport, days_ago: int) -> None:
    """Spread a report's history over the past: created `days_ago`, each step two days on."""
    now = timezone.now()
    start = now - timedelta(days=days_ago, hours=3)
    changes = list(report.status_changes.order_by("created_at", "id"))
    moments = [
        min(start + timedelta(days=2 * index + 1), now - timedelta(hours=1))
        for index in range(len(changes))
    ]
    for change, moment in zip(changes, moments, strict=True):
        StatusChange.objects.filter(pk=change.pk).update(created_at=moment)
    submitted = [m for c, m in zip(changes, moments, strict=True) if c.to_status == S.SUBMITTED]
    published = [m for c, m in zip(changes, moments, strict=True) if c.to_status == S.PUBLISHED]
    last = moments[-1] if moments else start
    BarrierReport.objects.filter(pk=report.pk).update(
        created_at=start,
        updated_at=last,
        status_changed_at=last,
        submitted_at=submitted[-1] if submitted else None,
        published_at=published[0] if published else None,
    )


def seed(log: Callable[[str], None]) -> None:
    if BarrierReport.objects.exists():
        log("barrier reports already present; nothing to do")
        return
    people = {user.email: user for user in User.objects.filter(organisation__isnull=False)}
    moderator = User.objects.get(email=MODERATOR)
    topics = {topic.code: topic for topic in Topic.objects.all()}
    hs_chapters = {chapter.code: chapter for chapter in HsChapter.objects.all()}
    reports: dict[str, BarrierReport] = {}
    for index, item in enumerate(sorted(REPORTS, key=lambda entry: -entry.days_ago), start=1):
        reporter = people[item.reporter]
        report = services.report_draft_create(
            actor=reporter, title=item.title, summary=item.summary, language=item.language
        )
        services.report_draft_update(
            actor=reporter,
            report=report,
            changes={
                "description": item.description,
                "market": Country.objects.get(code=item.market),
                "trade_direction": item.direction,
                "delivery_mode": item.mode,
                "topics": [topics[code] for code in item.topics],
                "ntm_chapter": NtmChapter.objects.get(code=item.ntm) if item.ntm else None,
                "hs_chapters": [hs_chapters[code] for code in item.hs],
                "first_encountered": date(*item.first, 1) if item.first else None,
                "still_active": item.active,
                "cost_band": item.cost,
                "steps_taken": item.steps,
                "visibility": item.visibility,
            },
        )
        if item.path is not None:
            services.report_submit(actor=reporter, report=report)
            for status, note in item.path:
                services.report_transition(
                    actor=moderator,
                    report=report,
                    to_status=status,
                    note=note,
                    duplicate_of=reports.get(item.duplicate_of or ""),
                )
        _shift(report, item.days_ago)
        reports[item.key] = BarrierReport.objects.get(pk=report.pk)
        if index % 5 == 0:
            log(f"{index} of {len(REPORTS)} reports")
    log(
        f"{len(reports)} reports in {len({r.status for r in BarrierReport.objects.all()})} statuses"
    )

    for key, email, impact, comment in COSIGNATURES:
        report = reports[key]
        services.report_cosign(actor=people[email], report=report, impact=impact, comment=comment)
    _spread_after_publication(CoSignature, reports)
    log(f"{len(COSIGNATURES)} co-signatures")

    for key, email, body in RESPONSES:
        services.official_response_post(actor=people[email], report=reports[key], body=body)
    _spread_after_publication(OfficialResponse, reports)
    log(f"{len(RESPONSES)} official responses from verified officials")
    if settings.DEBUG:
        log("reporter emails are queued for the Celery worker (console email by default)")


def _spread_after_publication(model, reports: dict[str, BarrierReport]) -> None:
    """Date co-signatures and responses a few days after their report was published."""
    now = timezone.now()
    for offset, row in enumerate(model.objects.select_related("report").order_by("id")):
        published = BarrierReport.objects.get(pk=row.report_id).published_at or now
        moment = min(published + timedelta(days=1 + offset % 5, hours=offset), now)
        model.objects.filter(pk=row.pk).update(created_at=moment)
