"""Words for the benchmark data (dialogues/bench_data.py), in the portal's three languages.

Search costs depend on how many documents hold a word, so the generator draws ordinary words
from a long-tailed vocabulary (real words first, then invented names) and adds the phrases
people search for ("payment gateway", "data localisation") at a controlled rate: a search
for "payment" matches a few percent of reports, as it would on a real site, never half.
"""


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = {
    "en": _words(
        "the of and to a in for our we is on with it are at by this that from as our be has "
        "have not they their was were or an"
    ),
    "fr": _words(
        "le la les de des du et à un une en pour nous est sur avec il sont par ce qui que "
        "dans pas au aux notre nos leur ou"
    ),
    "es": _words(
        "el la los las de del y a un una en para nuestro es con se son por este que no al "
        "su sus o nuestra como más"
    ),
}

# Content words that are not search targets: drawn with a long tail, most frequent first.
CONTENT_WORDS = {
    "en": _words("""
    sellers customers orders online shop business small export import goods buyers week month
    year days cost costs price prices time rules rule office form forms website account
    product products delivery shipping parcel parcels package packages border country market
    markets agent agents partner partners supplier suppliers staff team company companies
    service services document documents certificate certificates request requests answer
    letter email phone call meeting process procedure step steps fee fees charge charges bank
    banks transfer transfers invoice invoices receipt receipts stock warehouse warehouses
    carrier carriers truck airport port clearance inspection inspections officer officers
    ministry authority authorities agency agencies portal platform platforms app apps code
    codes number numbers address addresses label labels box boxes sample samples batch batches
    season harvest coffee tea cocoa spices textiles knitwear alpaca wool cotton leather shoes
    bags jewellery crafts ceramics furniture cosmetics soap oils creams software studio design
    translation consulting tourism tours hotel booking courses training students teachers
    clinic health food fruit vegetables honey fish seafood rice flour sugar wine beer juice
    toys books music films games photos prints posters art paintings sculptures instruments
    parts spare machines tools electronics phones cables batteries lamps solar panels bikes
    delay delays problem problems issue issues question questions change changes update
    updates notice notices decision decisions appeal appeals complaint complaints refund
    refunds return returns loss losses profit margin margins sales revenue growth contract
    contracts law laws regulation regulations requirement requirements standard standards
    test tests approval approvals permit permits registration registrations licence
    licences tax taxes duty duties tariff tariffs quota quotas threshold thresholds value
    values weight weights size sizes volume volumes rate rates currency currencies exchange
    card cards wallet wallets transfer mobile money cash credit debit account accounts
    verification identity proof evidence record records file files data server servers cloud
    hosting storage security privacy consent cookies users visitors traffic search ads
    advertising marketing social media reviews ratings feedback support help desk hotline
    cooperative association chamber federation network cluster hub incubator programme
    project projects fund funding grant grants loan loans investment investors trade fair
    fairs exhibition exhibitions catalogue catalogues brochure website domain domains email
    newsletter subscription subscriptions members membership survey surveys report reports
    """),
    "fr": _words("""
    vendeurs clients commandes boutique entreprise petite exportation importation produits
    acheteurs semaine mois année jours coût coûts prix temps règles règle bureau formulaire
    formulaires site compte livraison expédition colis paquet frontière pays marché marchés
    agent partenaire fournisseur équipe société service services document certificat
    demande réponse lettre courriel téléphone réunion procédure étape frais banque virement
    facture reçu stock entrepôt transporteur camion aéroport dédouanement inspection agent
    ministère autorité agence plateforme application numéro adresse étiquette boîte
    échantillon lot saison récolte café thé cacao épices textiles laine coton cuir chaussures
    sacs bijoux artisanat céramique meubles cosmétiques savon huiles crèmes logiciel studio
    traduction conseil tourisme réservation formation santé fruits légumes miel poisson riz
    farine sucre vin jus jouets livres musique jeux photos art retard retards problème
    question changement décision recours plainte remboursement retour perte marge ventes
    contrat loi réglementation exigence norme essai autorisation permis enregistrement
    licence impôt droit tarif quota seuil valeur poids taille taux devise carte portefeuille
    argent crédit vérification identité preuve dossier fichier données serveur hébergement
    sécurité confidentialité consentement utilisateurs publicité avis coopérative chambre
    réseau programme projet fonds subvention prêt salon exposition catalogue abonnement
    """),
    "es": _words("""
    vendedores clientes pedidos tienda empresa pequeña exportación importación productos
    compradores semana mes año días costo costos precio tiempo reglas regla oficina
    formulario sitio cuenta entrega envío paquete frontera país mercado mercados agente socio
    proveedor equipo compañía servicio servicios documento certificado solicitud respuesta
    carta correo teléfono reunión procedimiento paso tarifas banco transferencia factura
    recibo inventario almacén transportista camión aeropuerto despacho inspección ministerio
    autoridad agencia plataforma aplicación número dirección etiqueta caja muestra lote
    temporada cosecha café té cacao especias textiles lana algodón cuero zapatos bolsos joyas
    artesanía cerámica muebles cosméticos jabón aceites cremas programa estudio traducción
    consultoría turismo reserva formación salud frutas verduras miel pescado arroz harina
    azúcar vino jugo juguetes libros música juegos fotos arte demora demoras problema
    pregunta cambio decisión recurso queja reembolso devolución pérdida margen ventas
    contrato ley regulación requisito norma prueba aprobación permiso registro licencia
    impuesto derecho arancel cuota umbral valor peso tamaño tasa moneda tarjeta billetera
    dinero crédito verificación identidad prueba expediente archivo datos servidor
    alojamiento seguridad privacidad consentimiento usuarios publicidad reseñas cooperativa
    cámara red proyecto fondo subvención préstamo feria exposición catálogo suscripción
    """),
}

# The phrases searches look for, with their weights; most documents carry one or two. The
# weights keep "payment" in a few percent of documents (payment gateway, payment processor,
# payment refused...) and every other phrase rarer.
TOPIC_PHRASES = {
    "en": [
        ("payment gateway", 12),
        ("payment processor", 5),
        ("de minimis threshold", 25),
        ("data localisation", 20),
        ("customs declaration", 25),
        ("marketplace seller registration", 18),
        ("VAT registration", 20),
        ("courier delay", 15),
        ("import licence", 15),
        ("electronic signature", 12),
        ("cross-border data transfer", 12),
        ("foreign merchant account", 10),
        ("return shipment", 10),
        ("consumer protection rules", 10),
        ("digital services tax", 10),
        ("e-invoicing mandate", 8),
        ("postal clearance", 12),
        ("source code disclosure", 5),
        ("local representative", 10),
        ("product labelling", 12),
        ("conformity assessment", 10),
        ("platform commission", 10),
        ("domain name registration", 5),
        ("cloud hosting requirement", 6),
        ("mobile money limit", 8),
        ("currency conversion", 10),
        ("sanitary certificate", 10),
        ("origin certificate", 12),
        ("single window", 8),
        ("internet shutdown", 3),
    ],
    "fr": [
        ("passerelle de paiement", 12),
        ("seuil de minimis", 20),
        ("localisation des données", 15),
        ("déclaration en douane", 20),
        ("enregistrement des vendeurs", 15),
        ("numéro de TVA", 15),
        ("retard du transporteur", 12),
        ("licence d'importation", 12),
        ("signature électronique", 10),
        ("certificat d'origine", 10),
        ("paiement mobile", 5),
        ("guichet unique", 8),
    ],
    "es": [
        ("pasarela de pago", 12),
        ("umbral de minimis", 20),
        ("localización de datos", 15),
        ("declaración aduanera", 20),
        ("registro de vendedores", 15),
        ("registro del IVA", 15),
        ("retraso del transportista", 12),
        ("licencia de importación", 12),
        ("firma electrónica", 10),
        ("certificado de origen", 10),
        ("pago móvil", 5),
        ("ventanilla única", 8),
    ],
}

TITLE_ENDINGS = {
    "en": [
        "blocks small online sellers",
        "costs us weeks at the border",
        "refuses foreign merchants",
        "stops our parcels",
        "doubles our delivery costs",
        "keeps us out of the market",
        "changed without notice",
        "applies only to foreign shops",
        "needs a local company",
        "is not published anywhere",
        "takes months to obtain",
        "rejects our documents",
    ],
    "fr": [
        "bloque les petits vendeurs en ligne",
        "nous coûte des semaines à la frontière",
        "refuse les commerçants étrangers",
        "arrête nos colis",
        "double nos coûts de livraison",
        "a changé sans préavis",
    ],
    "es": [
        "bloquea a los pequeños vendedores en línea",
        "nos cuesta semanas en la frontera",
        "rechaza a los comerciantes extranjeros",
        "detiene nuestros paquetes",
        "duplica nuestros costos de envío",
        "cambió sin previo aviso",
    ],
}

# Syllables for invented words: brand, place and product names that make the long tail.
SYLLABLES = _words(
    "ka ri mo ta le nu sa vi do pe ro ba zi lu ne fa go mi to ha ju ke la ma na pa ra se ti "
    "vo wa ya ze bo cu di fe gi ho ki lo mu no pi qu ru so tu vu xi yo zu"
)
