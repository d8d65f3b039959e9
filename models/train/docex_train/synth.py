"""Synthetic invoices, receipts and contracts for the docex tagger.

``generate(n, seed)`` returns ``n`` documents in the JSON Lines format of
``models/README.md`` ("Training data format")::

    {"id": "synth/<seed>-<i>", "source": "synth", "doc_type": "invoice",
     "text": "...", "spans": [[start, end, "TOTAL"], ...], "fields": {...}}

Deterministic: the same ``(n, seed)`` gives the same documents, and document
``i`` does not depend on ``n`` (``generate(10, s)[:5] == generate(5, s)``).
Mix: about 55 % invoices, 20 % receipts, 25 % contracts.  Multi-page
documents (all longer contracts, some invoices) join their pages with ``\\f``
(each page ends with ``\\n``).

The real data (SROIE, MIDD, CUAD) lacks due dates, net/tax amounts, customers
on English invoices, IBANs, currencies other than RM/INR, euro number formats
and dd.mm.yyyy dates; this generator covers those, with distractors (order /
delivery dates, PO numbers, phone numbers, IBANs, VAT ids, payment and change
amounts, notice periods, renewal terms) that are *not* labelled.

Span conventions (labels of models/README.md)
---------------------------------------------
* Amounts (NET, TAX, TOTAL) cover the **number only**: digits with their
  grouping and decimal separators, including inner spaces or apostrophes
  (``1 234,56``, ``1'234.56``).  A currency symbol or code is never inside the
  span, attached or not: the tokenizer splits ``€1.234,56`` into ``€`` +
  ``1.234,56`` and whitespace is invisible to the tagger, so an "attached"
  rule could not be learned; the currency (ISO 4217) is in
  ``fields["currency"]`` and must be read from the context.
* TOTAL is the grand total / amount payable; NET the total before tax
  (Subtotal, Net amount, Total HT, ...); TAX the total tax amount (with split
  taxes such as CGST+SGST only the "Total tax" line is TAX, the components
  are not labelled).  Every occurrence of the labelled value in its role is
  labelled (e.g. "Please pay EUR 1.234,56 by ..." is TOTAL too); payment,
  change and line-item amounts are not.
* Dates cover the date expression as written (``05.03.2024``,
  ``March 5, 2024``, ``5th day of March, 2021``).  Receipt dates are
  INVOICE_DATE; a time next to it is not in the span.  Order, delivery,
  service-period and signature dates are not labelled.
* VENDOR / CUSTOMER / PARTY cover the full name as written including the
  legal form (``Hartmann Logistik GmbH``), at every place it is written in full
  (letterhead, footer, "payable to", signature block; upper-cased copies too).
  Defined-term aliases (``"Company"``, ``the Supplier``), contact persons and
  addresses are never labelled.
* INVOICE_NO covers the identifier only (``Invoice #10045`` -> ``10045``).
* TERM covers the duration phrase: ``two (2) years``, ``36 months``,
  ``ninety (90) days``.  Renewal periods and notice periods are not TERM.
* JURISDICTION covers the place name of the governing law: ``New York`` in
  "the laws of the State of New York", ``England and Wales``.  "a Delaware
  corporation" is not labelled.
* Contracts: the date in the preamble / header ("entered into as of ...",
  "dated ...", "Date: ...") is AGREEMENT_DATE, also when the preamble defines
  it as the "Effective Date" (then ``fields["effective_date"]`` equals the
  agreement date, as in CUAD).  A separately stated effective date is
  EFFECTIVE_DATE.  EXPIRATION_DATE only where an end date is written.

Fields (``documents.csv`` column names, normalised)
---------------------------------------------------
Every document has ``doc_type`` and the keys of its type, ``""`` when the
document does not state the value:

* invoice: vendor, customer, invoice_number, invoice_date, due_date,
  currency, net_amount, tax_amount, total_amount
* receipt: vendor, invoice_date, currency, total_amount
* contract: parties, agreement_date, effective_date, expiration_date, term,
  jurisdiction

Dates are ISO ``YYYY-MM-DD``; amounts plain decimals with ``.`` and two
decimals (``1234.56``); currency ISO 4217; parties are the full party names
joined by ``"; "`` in order of appearance; term an ISO 8601 duration (``P2Y``,
``P36M``, ``P90D``); jurisdiction the labelled place name.  When a contract
states a term but no end date, ``expiration_date`` is still filled with
start + term (start = effective date, else agreement date), as CUAD does.

Invariants: net + tax == total when both are stated; due_date >= invoice_date.
"""

from __future__ import annotations

import datetime as _dt
import random
import re
from typing import Any

LABELS = [
    "VENDOR", "CUSTOMER", "INVOICE_NO", "INVOICE_DATE", "DUE_DATE", "NET", "TAX",
    "TOTAL", "PARTY", "AGREEMENT_DATE", "EFFECTIVE_DATE", "EXPIRATION_DATE", "TERM",
    "JURISDICTION",
]

INVOICE_FIELDS = ["vendor", "customer", "invoice_number", "invoice_date", "due_date",
                  "currency", "net_amount", "tax_amount", "total_amount"]
RECEIPT_FIELDS = ["vendor", "invoice_date", "currency", "total_amount"]
CONTRACT_FIELDS = ["parties", "agreement_date", "effective_date", "expiration_date",
                   "term", "jurisdiction"]


# --------------------------------------------------------------------------
# text builder with spans
# --------------------------------------------------------------------------

class Doc:
    """Append-only text with labelled spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[list[Any]] = []
        self.pos = 0

    def add(self, s: str, label: str | None = None) -> "Doc":
        if label and s:
            # strip whitespace from the span edges
            lead = len(s) - len(s.lstrip())
            trail = len(s) - len(s.rstrip())
            self.spans.append([self.pos + lead, self.pos + len(s) - trail, label])
        self.parts.append(s)
        self.pos += len(s)
        return self

    def line(self, *segs: Any) -> "Doc":
        for seg in segs:
            if isinstance(seg, tuple):
                self.add(*seg)
            else:
                self.add(seg)
        self.add("\n")
        return self

    def lines(self, rows: list[list[Any]]) -> "Doc":
        for r in rows:
            self.line(*r)
        return self

    def blank(self, k: int = 1) -> "Doc":
        for _ in range(k):
            self.add("\n")
        return self

    def extend(self, other: "Doc") -> "Doc":
        for s, e, lab in other.spans:
            self.spans.append([s + self.pos, e + self.pos, lab])
        self.parts.extend(other.parts)
        self.pos += other.pos
        return self

    @property
    def text(self) -> str:
        return "".join(self.parts)


Seg = Any  # str or (str, label)


def seg_len(segs: list[Seg]) -> int:
    return sum(len(s[0] if isinstance(s, tuple) else s) for s in segs)


def seg_text(segs: list[Seg]) -> str:
    return "".join(s[0] if isinstance(s, tuple) else s for s in segs)


def pad(segs: list[Seg], width: int) -> list[Seg]:
    n = seg_len(segs)
    return list(segs) + ([" " * (width - n)] if n < width else [])


def right(segs: list[Seg], width: int) -> list[Seg]:
    n = seg_len(segs)
    return ([" " * (width - n)] if n < width else []) + list(segs)


def center(segs: list[Seg], width: int) -> list[Seg]:
    n = seg_len(segs)
    k = max(0, (width - n) // 2)
    return ([" " * k] if k else []) + list(segs)


def columns(left: list[list[Seg]], right_col: list[list[Seg]], width: int,
            gap: int = 4, mode: str = "side") -> list[list[Seg]]:
    """Merge two columns of lines.  mode "side": side by side (pdftotext -layout /
    OCR line order); "stack": left column then right column (block order)."""
    if mode == "stack":
        return [list(r) for r in left] + [list(r) for r in right_col]
    lw = max([seg_len(r) for r in left] + [0])
    col2 = max(lw + gap, width)
    out = []
    for i in range(max(len(left), len(right_col))):
        left_row = list(left[i]) if i < len(left) else []
        r = list(right_col[i]) if i < len(right_col) else []
        if r:
            out.append(pad(left_row, col2) + r)
        else:
            out.append(left_row)
    return out


def wrap_doc(d: Doc, width: int) -> Doc:
    """Greedy word wrap by turning spaces into newlines (offsets unchanged)."""
    t = list(d.text)
    col = 0
    last_space = -1
    i = 0
    while i < len(t):
        c = t[i]
        if c == "\n":
            col = 0
            last_space = -1
        else:
            if c == " ":
                last_space = i
            col += 1
            if col > width and last_space >= 0:
                t[last_space] = "\n"
                col = i - last_space
                last_space = -1
        i += 1
    out = Doc()
    out.parts = ["".join(t)]
    out.pos = d.pos
    out.spans = [list(s) for s in d.spans]
    return out


def paginate(d: Doc, lines_per_page: int, header=None, footer=None) -> tuple[Doc, int]:
    """Split into pages at line boundaries not inside a span; pages joined by \\f.
    header(page_no, n_pages) / footer(page_no, n_pages) return Doc or None."""
    text = d.text
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    starts = []
    p = 0
    for ln in lines:
        starts.append(p)
        p += len(ln) + 1
    inside = set()
    for s, e, _ in d.spans:
        for k, st in enumerate(starts):
            if s < st < e:
                inside.add(k)
    breaks = []
    cur = 0
    while cur < len(lines):
        nxt = min(len(lines), cur + lines_per_page)
        while nxt < len(lines) and nxt in inside and nxt > cur + 1:
            nxt -= 1
        breaks.append((cur, nxt))
        cur = nxt
    n_pages = len(breaks)
    out = Doc()
    for pi, (a, b) in enumerate(breaks):
        if pi:
            out.add("\f")
        if header:
            h = header(pi + 1, n_pages)
            if h:
                out.extend(h)
        lo = starts[a]
        hi = starts[b - 1] + len(lines[b - 1]) + 1
        sub = Doc()
        sub.parts = [text[lo:hi]]
        sub.pos = hi - lo
        sub.spans = [[s - lo, e - lo, lab] for s, e, lab in d.spans if lo <= s < hi]
        out.extend(sub)
        if footer:
            f = footer(pi + 1, n_pages)
            if f:
                out.extend(f)
    return out, n_pages


# --------------------------------------------------------------------------
# word lists
# --------------------------------------------------------------------------

FIRST = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William
Susan Richard Jessica Thomas Sarah Daniel Karen Matthew Nancy Anthony Lisa Mark Emily
Steven Michelle Andrew Laura Kevin Rachel Brian Olivia Jonas Lukas Leon Felix Paul Anna
Lea Hannah Sophie Marie Katrin Jürgen Stefan Andreas Sabine Ulrike Matthias Claudia
Pierre Jean Luc Camille Chloé Julien Nicolas Amélie Isabelle François Élodie Marco Giulia
Luca Francesca Alessandro Chiara Javier Lucía Carmen Pablo Sofía Diego Joao Ana Pedro Lars
Ingrid Sven Astrid Pieter Sanne Daan Eva Ahmad Siti Nurul Aisyah Farid Hafiz Mei Ling Wei
Jun Hui Kumar Priya Rahul Anjali Vikram Deepa Arjun Sunita Rohan Kavya Aarav Meera Oluwaseun
Chinedu Amara Kwame Yusuf Fatima Omar Layla Hiroshi Yuki Kenji Sakura Min-jun Seo-yeon
Liam Noah Ava Isla Jack Harry Oscar Charlotte Amelia Grace Finn Aoife Ciaran Niamh Connor""".split()

LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson
Anderson Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker
Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter
Klein Wolf Schröder Neumann Braun Zimmermann Hartmann Krüger Lange Dubois Durand Lefebvre
Moreau Laurent Simon Michel Leroy Roux Fournier Girard Bonnet Rossi Russo Ferrari Esposito
Bianchi Romano Colombo Ricci Marino Greco Fernández López González Sánchez Pérez Martín
Gómez Ruiz Silva Santos Oliveira Jansen de Vries van Dijk Bakker Visser Smit Andersson
Johansson Nilsson Larsen Hansen Nielsen Tan Lim Wong Ng Lee Chua Goh Abdullah Rahman Ismail
Ibrahim Hassan Sharma Patel Gupta Singh Reddy Iyer Nair Mehta Joshi Agarwal Okafor Mensah
Adeyemi Nakamura Tanaka Suzuki Kim Park Choi O'Brien Murphy Kelly Walsh Byrne Novak Kowalski
Nowak Horvat Popescu Papadopoulos Yilmaz Kaya Cohen Levi""".split()

PREFIX = """Nor Vel Quant Blue Alt Sil Ver Lum Aero Cor Zen Omni Nex Bright Stone Oak Iron Sun
Crest Pine Red Green Silver Gold North South East West Apex Sum Nova Terra Aqua Flux Kin
Hex Orbit Vertex Pinn Prism Delta Sigma Echo Arc Astra Bel Cal Dyn Ever Falcon Glen Harbor
Inter Jet Key Lake Maple Meri Nimbus Opti Pol Quest Ridge Sky Tri Uni Vista Wave Xen Yel
Zephyr Alpen Rhein Nord Süd Bay Cedar Coral Elm Fern Hawk Lotus Onyx Pearl Sage Tiger""".split()

SUFFIX = """via tech ora ex ium works line field bridge point gate wave labs soft com is net
ix ova stone wood light path core logic data form craft mark sphere star view ware tron
gen dex io ant ent on ia ica ella""".split()

INDUSTRY = """Logistics Consulting Systems Software Solutions Industries Trading Supplies
Engineering Electronics Foods Beverages Textiles Pharma Healthcare Media Design Analytics
Construction Energy Solar Robotics Networks Telecom Security Packaging Printing Plastics
Metals Chemicals Furniture Interiors Motors Marine Aviation Travel Catering Hospitality
Ventures Partners Holdings Capital Group Labs Technologies Devices Instruments Tools
Components Materials Properties Services Communications Automation Biotech Coffee Bakery
Hardware Imports Exports Distribution Apparel Optics Audio Studios Advisory""".split()

INDUSTRY_DE = """Logistik Beratung Systeme Handel Technik Maschinenbau Elektro Bau Druck
Verpackung Medien Software Metallbau Holzbau Transporte Dienstleistungen Vertrieb""".split()

PLACE = """Pacific Atlantic Northern Southern Western Eastern Central Coastal Alpine Metro
Global United National Continental Royal Imperial Pioneer Heritage Summit Valley River
Highland Lakeside Harbour Capital Premier Golden Silver Evergreen Liberty Union Frontier
Sterling Crown Oxford Cambridge Windsor Berkshire Hudson Potomac Rhine Danube Baltic Nordic
Iberian Celtic Andean Sahara Borneo Malabar Deccan Bengal Straits Kinabalu Penang""".split()

MY_WORDS = """Syarikat Perniagaan Kedai Restoran Pasaraya Kilang Bina Maju Jaya Sentosa Makmur
Sejahtera Indah Bersatu Cahaya Mutiara Permata Bintang Setia Gemilang Harapan""".split()

IN_WORDS = """Shree Sri Ganesh Laxmi Balaji Krishna Sai Om Bharat Hindustan Ambika Mahalaxmi
Durga Vinayak Siddhi Jai Annapurna Kaveri Ganga Narmada""".split()
IN_TRADE = """Traders Enterprises Agencies Industries Distributors Associates Exports Steels
Polymers Textiles Pharmaceuticals Electricals Hardware Stores Infotech""".split()

LEGAL = {
    "US": ["Inc.", "Inc", "LLC", "Corp.", "Corporation", "Co.", "L.L.C.", "Incorporated", "LP", ""],
    "GB": ["Ltd", "Ltd.", "Limited", "PLC", "plc", "LLP", ""],
    "IE": ["Ltd", "Limited", "DAC", ""],
    "DE": ["GmbH", "AG", "GmbH & Co. KG", "KG", "e.K.", "UG (haftungsbeschränkt)", "OHG"],
    "AT": ["GmbH", "AG", "KG"],
    "FR": ["S.A.", "SA", "SARL", "SAS", "S.A.S."],
    "IT": ["S.r.l.", "S.p.A.", "SRL"],
    "ES": ["S.L.", "S.A."],
    "NL": ["B.V.", "BV", "N.V."],
    "CH": ["AG", "SA", "GmbH", "Sàrl"],
    "AU": ["Pty Ltd", "Pty. Ltd.", "Pty Limited"],
    "MY": ["Sdn Bhd", "Sdn. Bhd.", "SDN BHD", "Enterprise", "Trading", "Bhd"],
    "IN": ["Pvt. Ltd.", "Private Limited", "Pvt Ltd", "LLP", "Ltd."],
    "SG": ["Pte Ltd", "Pte. Ltd."],
    "CA": ["Inc.", "Ltd.", "Corp."],
}

STREETS = {
    "US": ["Main Street", "Oak Avenue", "Maple Drive", "Market Street", "Broadway", "Elm Street",
           "Park Avenue", "Washington Blvd", "Lake Shore Drive", "Sunset Boulevard", "Pine Street",
           "Industrial Parkway", "Commerce Way", "Hillcrest Road", "5th Avenue"],
    "GB": ["High Street", "Station Road", "Church Lane", "Victoria Road", "King Street",
           "Mill Lane", "The Green", "Queensway", "Park Road", "London Road", "Castle Street"],
    "DE": ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Goethestraße",
           "Industriestraße", "Am Markt", "Lindenallee", "Friedrichstraße", "Berliner Str."],
    "FR": ["rue de la Paix", "avenue des Champs", "boulevard Voltaire", "rue du Commerce",
           "rue Victor Hugo", "place de la République", "quai de Bercy"],
    "CH": ["Bahnhofstrasse", "Seestrasse", "Dorfstrasse", "Hauptgasse", "Rue du Rhône"],
    "NL": ["Keizersgracht", "Herengracht", "Stationsplein", "Damrak", "Kerkstraat"],
    "IT": ["Via Roma", "Corso Italia", "Via Garibaldi", "Via Dante"],
    "ES": ["Calle Mayor", "Gran Vía", "Avenida de América", "Calle de Alcalá"],
    "IE": ["O'Connell Street", "Grafton Street", "Baggot Street", "Harcourt Road"],
    "AT": ["Mariahilfer Straße", "Ringstraße", "Landstraße"],
    "AU": ["George Street", "Collins Street", "Queen Street", "Pitt Street"],
    "MY": ["Jalan Bukit Bintang", "Jalan Ampang", "Jalan Tun Razak", "Jalan Sultan Ismail",
           "Jalan SS 2/24", "Jalan Kuching", "Jalan Sagu 18", "Jalan Perdana 3"],
    "IN": ["MG Road", "Linking Road", "Anna Salai", "Park Street", "Brigade Road", "FC Road",
           "Nehru Place", "Station Road"],
    "SG": ["Orchard Road", "Raffles Place", "Shenton Way"],
    "CA": ["Yonge Street", "Bay Street", "Rue Sainte-Catherine"],
}

CITIES = {
    "US": [("New York", "NY", "100"), ("Austin", "TX", "787"), ("Chicago", "IL", "606"),
           ("San Jose", "CA", "951"), ("Seattle", "WA", "981"), ("Boston", "MA", "021"),
           ("Denver", "CO", "802"), ("Atlanta", "GA", "303"), ("Miami", "FL", "331"),
           ("Portland", "OR", "972"), ("Newark", "NJ", "071"), ("Phoenix", "AZ", "850")],
    "GB": [("London", "EC1A", ""), ("Manchester", "M1", ""), ("Leeds", "LS1", ""),
           ("Bristol", "BS1", ""), ("Glasgow", "G2", ""), ("Cardiff", "CF10", ""),
           ("Reading", "RG1", ""), ("Cambridge", "CB2", "")],
    "DE": [("Berlin", "10", ""), ("München", "80", ""), ("Hamburg", "20", ""), ("Köln", "50", ""),
           ("Frankfurt am Main", "60", ""), ("Stuttgart", "70", ""), ("Leipzig", "04", ""),
           ("Düsseldorf", "40", "")],
    "FR": [("Paris", "75", ""), ("Lyon", "69", ""), ("Marseille", "13", ""), ("Toulouse", "31", ""),
           ("Nantes", "44", ""), ("Lille", "59", "")],
    "CH": [("Zürich", "80", ""), ("Basel", "40", ""), ("Bern", "30", ""), ("Genève", "12", ""),
           ("Lausanne", "10", "")],
    "NL": [("Amsterdam", "10", ""), ("Rotterdam", "30", ""), ("Utrecht", "35", ""), ("Eindhoven", "56", "")],
    "IT": [("Milano", "20", ""), ("Roma", "00", ""), ("Torino", "10", ""), ("Bologna", "40", "")],
    "ES": [("Madrid", "28", ""), ("Barcelona", "08", ""), ("Valencia", "46", ""), ("Sevilla", "41", "")],
    "IE": [("Dublin", "D02", ""), ("Cork", "T12", ""), ("Galway", "H91", "")],
    "AT": [("Wien", "10", ""), ("Graz", "80", ""), ("Linz", "40", "")],
    "AU": [("Sydney", "NSW", "2"), ("Melbourne", "VIC", "3"), ("Brisbane", "QLD", "4"), ("Perth", "WA", "6")],
    "MY": [("Kuala Lumpur", "50", ""), ("Petaling Jaya", "47", ""), ("Johor Bahru", "81", ""),
           ("Penang", "10", ""), ("Shah Alam", "40", ""), ("Ipoh", "30", ""), ("Kota Kinabalu", "88", "")],
    "IN": [("Mumbai", "Maharashtra", "400"), ("Bengaluru", "Karnataka", "560"),
           ("Chennai", "Tamil Nadu", "600"), ("Pune", "Maharashtra", "411"),
           ("New Delhi", "Delhi", "110"), ("Hyderabad", "Telangana", "500"), ("Kolkata", "West Bengal", "700")],
    "SG": [("Singapore", "0", "")],
    "CA": [("Toronto", "ON", "M5"), ("Vancouver", "BC", "V6"), ("Montreal", "QC", "H3")],
}

ITEMS_GOODS = """Office chair ergonomic|A4 copy paper (5 reams)|Toner cartridge black|USB-C docking station|
Laptop stand aluminium|Wireless keyboard|27" LED monitor|Network switch 24-port|Cat6 patch cable 2m|
Stainless steel bolts M8|Hydraulic pump HP-200|Safety gloves (box of 100)|LED panel 60x60|
Printed brochures A5|Corrugated boxes 40x30x20|Pallet wrap film|Industrial adhesive 5L|
Coffee beans 1kg|Bottled water 24x500ml|Cleaning supplies|Thermal labels 100x150|Server rack 42U|
SSD 1TB NVMe|Replacement filter|Copper wire 2.5mm|Paint white 10L|Ceramic tiles 30x30|
Spare parts kit|Forklift battery|Solar panel 400W|Inverter 5kW|Bearing 6204-2RS|Gear motor|
Lab reagents set|Medical masks (50)|Uniform shirts|Promotional pens|Banner 2x1m|Desk lamp""".replace("\n", "").split("|")

ITEMS_SERVICES = """Consulting services|Software development|Project management|Website maintenance|
Cloud hosting (monthly)|SaaS subscription - Pro plan|Support hours|Installation and setup|
Translation services|Graphic design|Legal advice|Accounting services|Annual audit fee|
Freight charges|Shipping and handling|Training workshop|On-site service visit|Data migration|
Security assessment|Photography|Copywriting|Marketing retainer|Equipment rental|Cleaning service|
Licence renewal|Travel expenses|Courier delivery|Customs clearance|Warehouse storage|
Recruitment fee|SEO optimisation|IT helpdesk (flat fee)|Architecture review|UX research""".replace("\n", "").split("|")

RECEIPT_ITEMS = """MILK 1L|BREAD WHT|EGGS 10PK|BANANAS|APPLE GALA|CHEESE CHEDDAR|COFFEE LATTE|
TEA GREEN|MINERAL WATER|CHOC BAR|CHICKEN RICE|NASI LEMAK|TEH TARIK|KOPI O|MEE GORENG|ROTI CANAI|
SANDWICH HAM|CROISSANT|ORANGE JUICE|PASTA 500G|TOMATO SAUCE|RICE 5KG|SUGAR 1KG|COOKING OIL|
SHAMPOO|TOOTHPASTE|TISSUE BOX|DETERGENT|BATTERY AA 4PK|PEN BLUE|NOTEBOOK A5|A4 PAPER|
CAPPUCCINO|MUFFIN|SALAD BOWL|BURGER|FRIES REG|COLA 330ML|ICE CREAM|YOGURT|BUTTER|
CLEAR TAPE|STAPLER|SCREWDRIVER|PAINT BRUSH|LIGHT BULB|CHARGER USB""".replace("\n", "").split("|")

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
             "September", "Oktober", "November", "Dezember"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]

NUM_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
             8: "eight", 9: "nine", 10: "ten", 12: "twelve", 15: "fifteen", 18: "eighteen",
             24: "twenty-four", 30: "thirty", 36: "thirty-six", 45: "forty-five", 48: "forty-eight",
             60: "sixty", 90: "ninety", 120: "one hundred twenty", 180: "one hundred eighty",
             365: "three hundred sixty-five"}

# locale profiles: country, currency, amount styles, date styles, tax rates/names
PROFILES = {
    "DE": dict(cur="EUR", amt=["de", "de", "de_nosep"], dates=["dmy_dot", "dmy_dot", "dmy_dot_short", "dmy_dot_2y", "iso", "d_month_y_de", "d_month_y"],
               rates=[19, 19, 7], tax=["MwSt.", "USt.", "VAT", "MwSt", "Umsatzsteuer"], sym=["€", "EUR"]),
    "AT": dict(cur="EUR", amt=["de"], dates=["dmy_dot", "dmy_dot_short", "iso"], rates=[20, 10],
               tax=["USt.", "MwSt.", "VAT"], sym=["€", "EUR"]),
    "FR": dict(cur="EUR", amt=["fr", "fr", "de"], dates=["dmy_slash", "dmy_slash", "d_month_y_fr", "iso", "dmy_dot"],
               rates=[20, 10, 5.5], tax=["TVA", "VAT"], sym=["€", "EUR"]),
    "NL": dict(cur="EUR", amt=["de", "en"], dates=["dmy_dash", "dmy_slash", "iso", "d_month_y"], rates=[21, 9],
               tax=["BTW", "VAT"], sym=["€", "EUR"]),
    "IT": dict(cur="EUR", amt=["de"], dates=["dmy_slash", "dmy_dot", "iso"], rates=[22, 10],
               tax=["IVA", "VAT"], sym=["€", "EUR"]),
    "ES": dict(cur="EUR", amt=["de"], dates=["dmy_slash", "dmy_dash", "iso"], rates=[21, 10],
               tax=["IVA", "VAT"], sym=["€", "EUR"]),
    "IE": dict(cur="EUR", amt=["en"], dates=["dmy_slash", "d_month_y", "d_mon_y", "dd_mon_yy"], rates=[23, 13.5],
               tax=["VAT"], sym=["€", "EUR"]),
    "GB": dict(cur="GBP", amt=["en", "en", "en_nosep"], dates=["dmy_slash", "d_month_y", "d_mon_y", "dd_mon_yy", "dmy_slash_2y", "ord_month_y", "iso"],
               rates=[20, 20, 5], tax=["VAT"], sym=["£", "GBP"]),
    "US": dict(cur="USD", amt=["en", "en", "en_nosep"], dates=["mdy_slash", "mdy_slash", "month_d_y", "mon_d_y", "mdy_slash_2y", "mdy_short", "iso", "dd_mon_yy", "month_d_y_ord"],
               rates=[0, 6.25, 7, 8.875, 8.25, 7.5, 5.3, 6], tax=["Sales Tax", "Tax", "Sales tax"], sym=["$", "USD", "US$"]),
    "CA": dict(cur="USD", amt=["en"], dates=["iso", "month_d_y", "mdy_slash"], rates=[13, 5],
               tax=["HST", "GST", "Tax"], sym=["$", "USD"]),
    "CH": dict(cur="CHF", amt=["ch", "ch", "en", "de"], dates=["dmy_dot", "dmy_dot", "dmy_dot_short", "d_month_y_de", "iso"],
               rates=[8.1, 7.7, 2.6], tax=["MWST", "MwSt.", "VAT", "TVA"], sym=["CHF", "Fr."]),
    "IN": dict(cur="INR", amt=["in", "en", "en_nosep"], dates=["dmy_slash", "dmy_dash", "dd_mon_yyyy", "dmy_dot", "d_month_y"],
               rates=[18, 12, 5, 28], tax=["IGST", "GST", "Tax"], sym=["Rs.", "INR", "₹", "Rs"]),
    "MY": dict(cur="MYR", amt=["en", "en_nosep"], dates=["dmy_slash", "dmy_dash", "dd_mon_yyyy", "dmy_slash_2y", "iso"],
               rates=[6, 8, 10, 0], tax=["SST", "GST", "Service Tax", "Sales Tax"], sym=["RM", "MYR"]),
    "AU": dict(cur="USD", amt=["en"], dates=["dmy_slash", "d_month_y", "d_mon_y"], rates=[10],
               tax=["GST"], sym=["$", "USD"]),
    "SG": dict(cur="USD", amt=["en"], dates=["dmy_slash", "d_mon_y"], rates=[9, 8],
               tax=["GST"], sym=["$", "USD", "US$"]),
}
# AU/SG/CA profiles bill in USD here (export invoices) so currency stays unambiguous.
PROFILE_WEIGHTS = {"DE": 12, "AT": 3, "FR": 7, "NL": 4, "IT": 3, "ES": 3, "IE": 3, "GB": 13,
                   "US": 18, "CA": 2, "CH": 7, "IN": 9, "MY": 9, "AU": 3, "SG": 2}


# --------------------------------------------------------------------------
# value formatting
# --------------------------------------------------------------------------

def fmt_amount(cents: int, style: str) -> str:
    neg = cents < 0
    cents = abs(cents)
    units, frac = divmod(cents, 100)
    s = str(units)
    if style == "in":
        if len(s) > 3:
            head, tail = s[:-3], s[-3:]
            groups = []
            while len(head) > 2:
                groups.insert(0, head[-2:])
                head = head[:-2]
            if head:
                groups.insert(0, head)
            s = ",".join(groups + [tail])
        out = f"{s}.{frac:02d}"
    else:
        sep, dec = {"en": (",", "."), "en_nosep": ("", "."), "de": (".", ","),
                    "de_nosep": ("", ","), "fr": (" ", ","), "ch": ("'", ".")}[style]
        groups = []
        while len(s) > 3:
            groups.insert(0, s[-3:])
            s = s[:-3]
        groups.insert(0, s)
        out = sep.join(groups) + dec + f"{frac:02d}"
    return ("-" if neg else "") + out


def norm_amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else "-" + norm_amount(-cents)


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suf = "th"
    else:
        suf = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suf}"


def fmt_date(d: _dt.date, style: str) -> str:
    y, m, dd = d.year, d.month, d.day
    mon = MONTHS[m - 1]
    return {
        "dmy_dot": f"{dd:02d}.{m:02d}.{y}",
        "dmy_dot_short": f"{dd}.{m}.{y}",
        "dmy_dot_2y": f"{dd:02d}.{m:02d}.{y % 100:02d}",
        "dmy_slash": f"{dd:02d}/{m:02d}/{y}",
        "dmy_slash_2y": f"{dd:02d}/{m:02d}/{y % 100:02d}",
        "dmy_dash": f"{dd:02d}-{m:02d}-{y}",
        "mdy_slash": f"{m:02d}/{dd:02d}/{y}",
        "mdy_slash_2y": f"{m:02d}/{dd:02d}/{y % 100:02d}",
        "mdy_short": f"{m}/{dd}/{y}",
        "iso": f"{y}-{m:02d}-{dd:02d}",
        "d_month_y": f"{dd} {mon} {y}",
        "d_mon_y": f"{dd} {mon[:3]} {y}",
        "dd_mon_yy": f"{dd:02d}-{mon[:3]}-{y % 100:02d}",
        "dd_mon_yyyy": f"{dd:02d}-{mon[:3]}-{y}",
        "month_d_y": f"{mon} {dd}, {y}",
        "mon_d_y": f"{mon[:3]} {dd}, {y}",
        "month_d_y_ord": f"{mon} {ordinal(dd)}, {y}",
        "ord_month_y": f"{ordinal(dd)} {mon} {y}",
        "d_month_y_de": f"{dd}. {MONTHS_DE[m - 1]} {y}",
        "d_month_y_fr": f"{dd} {MONTHS_FR[m - 1]} {y}",
        "legal": f"{ordinal(dd)} day of {mon}, {y}",
        "legal_nocomma": f"{ordinal(dd)} day of {mon} {y}",
    }[style]


def add_months(d: _dt.date, months: int) -> _dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    import calendar
    last = calendar.monthrange(y, m)[1]
    return _dt.date(y, m, min(d.day, last))


def iban(rng: random.Random, cc: str) -> str:
    lengths = {"DE": 18, "GB": 18, "FR": 23, "CH": 17, "NL": 14, "IT": 23, "ES": 20, "AT": 16,
               "IE": 18, "MY": 14, "IN": 14, "US": 14, "AU": 14, "SG": 14, "CA": 14}
    n = lengths.get(cc, 18)
    if cc in ("GB", "IE"):
        bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + \
            "".join(rng.choice("0123456789") for _ in range(n - 4))
    elif cc == "NL":
        bban = rng.choice(["ABNA", "INGB", "RABO"]) + "".join(rng.choice("0123456789") for _ in range(10))
    else:
        bban = "".join(rng.choice("0123456789") for _ in range(n))
    country = cc if cc in ("DE", "GB", "FR", "CH", "NL", "IT", "ES", "AT", "IE") else "DE"
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(digits) % 97
    raw = f"{country}{check:02d}{bban}"
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4)) if rng.random() < 0.7 else raw


# --------------------------------------------------------------------------
# generator
# --------------------------------------------------------------------------

class Gen:
    def __init__(self, rng: random.Random, opts: dict | None = None) -> None:
        self.r = rng
        self.o = opts or {}

    # -- random helpers --------------------------------------------------
    def ch(self, seq, key: str | None = None):
        if key and key in self.o:
            return self.o[key]
        return self.r.choice(seq)

    def p(self, prob: float, key: str | None = None) -> bool:
        if key and key in self.o:
            return bool(self.o[key])
        return self.r.random() < prob

    def ri(self, a: int, b: int) -> int:
        return self.r.randint(a, b)

    def digits(self, k: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(k))

    def case(self, s: str, probs=(0.7, 0.2, 0.1)) -> str:
        x = self.r.random()
        if x < probs[0]:
            return s
        if x < probs[0] + probs[1]:
            return s.upper()
        return s.title() if s.lower() == s else s.lower().capitalize()

    # -- names -------------------------------------------------------------
    def person(self) -> str:
        first, last = self.ch(FIRST), self.ch(LAST)
        x = self.r.random()
        if x < 0.6:
            return f"{first} {last}"
        if x < 0.75:
            return f"{first} {self.ch('ABCDEFGHJKLMNPRSTW')}. {last}"
        if x < 0.85:
            return f"{self.ch(['Mr.', 'Ms.', 'Dr.', 'Mrs.', 'Mr', 'Ms'])} {first} {last}"
        if x < 0.93:
            return f"{first} {last}".upper()
        return f"{first[0]}. {last}"

    def company(self, cc: str) -> str:
        r = self.r
        legal = self.ch(LEGAL.get(cc, LEGAL["US"]))
        x = r.random()
        if cc == "MY" and x < 0.6:
            base = " ".join(r.sample(MY_WORDS, self.ri(2, 3)))
            if r.random() < 0.3:
                base += f" ({self.ch(CITIES['MY'])[0].upper()})"
        elif cc == "IN" and x < 0.6:
            base = f"{self.ch(IN_WORDS)} {self.ch(IN_WORDS + [self.ch(LAST)])} {self.ch(IN_TRADE)}"
        elif cc in ("DE", "AT", "CH") and x < 0.45:
            base = f"{self.ch(LAST)} {self.ch(INDUSTRY_DE)}"
        elif x < 0.25:
            base = self.ch(PREFIX) + self.ch(SUFFIX)
        elif x < 0.45:
            base = f"{self.ch(PREFIX)}{self.ch(SUFFIX)} {self.ch(INDUSTRY)}"
        elif x < 0.6:
            base = f"{self.ch(LAST)} {self.ch(INDUSTRY)}"
        elif x < 0.72:
            base = f"{self.ch(PLACE)} {self.ch(INDUSTRY)} {self.ch(INDUSTRY + [''])}".strip()
        elif x < 0.8:
            base = f"{self.ch(LAST)} & {self.ch(LAST)}"
        elif x < 0.86:
            base = f"{self.ch(LAST)} {self.ch(['Brothers', 'Bros.', 'and Sons', '& Co', 'Group'])}"
        elif x < 0.92:
            base = "".join(r.choice("ABCDEFGHIJKLMNOPRSTVWXZ") for _ in range(self.ri(2, 4))) + \
                " " + self.ch(INDUSTRY)
        else:
            base = f"{self.ch(PREFIX)}{self.ch(SUFFIX)}"
        name = f"{base} {legal}".strip() if legal else base
        if r.random() < 0.1 and legal in ("Inc.", "Corp.", "LLC", "Ltd.", "Inc"):
            name = f"{base}, {legal}"
        if r.random() < 0.15:
            name = name.upper()
        return re.sub(r"\s+", " ", name)

    def address(self, cc: str) -> list[str]:
        street = self.ch(STREETS.get(cc, STREETS["US"]))
        city, a, b = self.ch(CITIES.get(cc, CITIES["US"]))
        n = self.ri(1, 250)
        if cc == "US":
            l1 = f"{self.ri(10, 9999)} {street}"
            lines = [l1] + ([f"Suite {self.ri(100, 900)}"] if self.p(0.3) else [])
            lines.append(f"{city}, {a} {b}{self.digits(2)}")
        elif cc == "CA":
            lines = [f"{self.ri(10, 999)} {street}", f"{city}, {a} {b}{self.ch('ABCEGHJ')} {self.digits(1)}{self.ch('ABCEGHJ')}{self.digits(1)}"]
        elif cc == "GB":
            lines = [f"{n} {street}", f"{city}", f"{a} {self.digits(1)}{self.ch('ABDEFGHJLNPQRSTUWXYZ')}{self.ch('ABDEFGHJLNPQRSTUWXYZ')}"]
            if self.p(0.5):
                lines = [lines[0], f"{city} {lines[2]}"]
        elif cc in ("DE", "AT", "CH", "NL", "IT", "ES"):
            pc = a + self.digits(5 - len(a)) if cc in ("DE", "IT", "ES") else a + self.digits(4 - len(a))
            if cc == "NL":
                pc += " " + self.ch("ABCDEFGHJKLMNPRSTVWXZ") + self.ch("ABCDEFGHJKLMNPRSTVWXZ")
            prefix = {"CH": "CH-", "AT": "A-", "DE": "D-"}.get(cc, "") if self.p(0.15) else ""
            lines = [f"{street} {n}", f"{prefix}{pc} {city}"]
        elif cc == "FR":
            lines = [f"{n} {street}", f"{a}{self.digits(3)} {city}"]
        elif cc == "IE":
            lines = [f"{n} {street}", f"{city} {a} {self.ch('ABCDEFGHKNPRTVWXY')}{self.digits(1)}{self.ch('ABCDEFGHKNPRTVWXY')}{self.digits(1)}"]
        elif cc == "MY":
            lines = [f"No. {n}, {street}", f"{self.ch(['Taman Daya', 'Taman Melati', 'Bandar Baru', 'Seksyen 14', 'Taman Sri Muda'])}",
                     f"{a}{self.digits(3)} {city}"]
        elif cc == "IN":
            lines = [f"{self.ch(['Plot No.', 'Shop No.', 'Flat', 'No.', 'Door No.'])} {n}, {street}", f"{city}, {a} {b}{self.digits(3)}"]
        elif cc == "AU":
            lines = [f"{n} {street}", f"{city} {a} {b}{self.digits(3)}"]
        elif cc == "SG":
            lines = [f"{n} {street} #{self.digits(2)}-{self.digits(2)}", f"Singapore {self.digits(6)}"]
        else:
            lines = [f"{n} {street}", city]
        if self.p(0.25):
            lines.append({"US": "USA", "GB": "United Kingdom", "DE": "Germany", "FR": "France",
                          "CH": "Switzerland", "NL": "Netherlands", "IT": "Italy", "ES": "Spain",
                          "IE": "Ireland", "AT": "Austria", "MY": "Malaysia", "IN": "India",
                          "AU": "Australia", "SG": "Singapore", "CA": "Canada"}.get(cc, ""))
        return [line for line in lines if line]

    def phone(self, cc: str) -> str:
        d = self.digits
        return {
            "US": self.ch([f"({d(3)}) {d(3)}-{d(4)}", f"{d(3)}-{d(3)}-{d(4)}", f"+1 {d(3)} {d(3)} {d(4)}"]),
            "CA": f"({d(3)}) {d(3)}-{d(4)}",
            "GB": self.ch([f"+44 20 {d(4)} {d(4)}", f"0{d(3)} {d(3)} {d(4)}", f"01{d(3)} {d(6)}"]),
            "DE": self.ch([f"+49 {d(2)} {d(7)}", f"0{d(3)} / {d(6)}", f"+49 (0){d(2)} {d(3)} {d(2)}-{d(2)}"]),
            "FR": f"+33 {d(1)} {d(2)} {d(2)} {d(2)} {d(2)}",
            "CH": f"+41 {d(2)} {d(3)} {d(2)} {d(2)}",
            "MY": self.ch([f"03-{d(4)} {d(4)}", f"+60 3-{d(4)} {d(4)}", f"012-{d(3)} {d(4)}", f"07-{d(7)}"]),
            "IN": self.ch([f"+91 {d(5)} {d(5)}", f"0{d(2)}-{d(8)}", f"{d(10)}"]),
        }.get(cc, f"+{self.ri(30, 99)} {d(3)} {d(3)} {d(3)}")

    def vat_id(self, cc: str) -> tuple[str, str]:
        d = self.digits
        return {
            "DE": (self.ch(["USt-IdNr.", "VAT ID", "USt-ID", "VAT No."]), f"DE{d(9)}"),
            "AT": ("UID", f"ATU{d(8)}"),
            "FR": (self.ch(["N° TVA", "TVA intracom.", "VAT No."]), f"FR{d(2)}{d(9)}"),
            "NL": (self.ch(["BTW-nr", "VAT No."]), f"NL{d(9)}B01"),
            "IT": ("P.IVA", f"IT{d(11)}"),
            "ES": ("NIF", f"ES{self.ch('ABCB')}{d(8)}"),
            "IE": ("VAT No.", f"IE{d(7)}{self.ch('ABCDEFWX')}"),
            "GB": (self.ch(["VAT Reg No.", "VAT No:", "VAT Registration Number"]), self.ch([f"GB{d(9)}", f"GB {d(3)} {d(4)} {d(2)}"])),
            "CH": (self.ch(["MWST-Nr.", "UID", "VAT No."]), f"CHE-{d(3)}.{d(3)}.{d(3)} MWST"),
            "US": (self.ch(["EIN", "Tax ID", "Federal Tax ID"]), f"{d(2)}-{d(7)}"),
            "CA": ("GST/HST No.", f"{d(9)} RT0001"),
            "IN": ("GSTIN", f"{d(2)}{''.join(self.r.choice('ABCDEFGHJKLMNPQRSTUVWXYZ') for _ in range(5))}{d(4)}{self.ch('ABCDEFGHZ')}1Z{self.ch('0123456789ABCDEF')}"),
            "MY": (self.ch(["SST No", "GST Reg No", "SST Reg. No."]), self.ch([f"W10-{d(4)}-{d(8)}", f"00{d(10)}", f"B16-{d(4)}-{d(8)}"])),
            "AU": ("ABN", f"{d(2)} {d(3)} {d(3)} {d(3)}"),
            "SG": ("GST Reg No.", f"{d(9)}{self.ch('ABCDEKLMWX')}"),
        }.get(cc, ("VAT No.", d(10)))

    def invoice_no(self, year: int, cc: str) -> str:
        d = self.digits
        y = str(year)
        pats = [f"INV-{y}-{d(4)}", f"{y}-{d(4)}", f"RE-{d(5)}", f"F{y}/{d(4)}", f"{d(5)}", f"{d(6)}",
                f"A-{d(5)}", f"INV{d(7)}", f"SI-{d(6)}", f"{y[2:]}/{d(4)}", f"FA-{y}-{d(3)}",
                f"INV/{y}/{d(2)}/{d(4)}", f"{d(3)}-{d(4)}", f"IN{d(8)}", f"{y}{d(5)}", f"R{d(6)}",
                f"{self.ch('ABCDEFGHJK')}{self.ch('ABCDEFGHJK')}{d(6)}", f"{d(4)}/{y}"]
        if cc == "IN":
            pats += [f"GST/{y[2:]}-{int(y[2:]) + 1:02d}/{d(4)}", f"{self.ch(IN_WORDS)[:3].upper()}/{d(3)}/{y[2:]}-{int(y[2:]) + 1:02d}"]
        if cc == "DE":
            pats += [f"RE{y}-{d(4)}", f"RG-{d(6)}"]
        return self.ch(pats)

    def date(self, lo=2014, hi=2026) -> _dt.date:
        start = _dt.date(lo, 1, 1).toordinal()
        end = _dt.date(hi, 12, 31).toordinal()
        return _dt.date.fromordinal(self.ri(start, end))

    # -- money ---------------------------------------------------------
    def money(self, prof: dict, style: str, cents: int, sym: str, pos: str) -> list[Seg]:
        """Segments for an amount; the number is returned as the special marker
        tuple ("__AMT__", num) so the caller can attach a label."""
        num = fmt_amount(cents, style)
        if pos == "none":
            return [("__AMT__", num)]
        if pos == "before":
            return [sym, ("__AMT__", num)]
        if pos == "before_sp":
            return [sym + " ", ("__AMT__", num)]
        if pos == "after_sp":
            return [("__AMT__", num), " " + sym]
        return [("__AMT__", num), sym]


def lab(segs: list[Seg], label: str | None) -> list[Seg]:
    out = []
    for s in segs:
        if isinstance(s, tuple) and s[0] == "__AMT__":
            out.append((s[1], label) if label else s[1])
        else:
            out.append(s)
    return out


# --------------------------------------------------------------------------
# invoices
# --------------------------------------------------------------------------

INV_TITLES = ["INVOICE", "Invoice", "TAX INVOICE", "Tax Invoice", "COMMERCIAL INVOICE", "INVOICE",
              "Sales Invoice", "Rechnung", "Facture", "Bill", "VAT INVOICE", "Invoice / Rechnung"]
L_INVNO = ["Invoice No.", "Invoice No", "Invoice #", "Invoice Number", "Inv. No.", "Invoice no.",
           "No.", "Number", "Reference", "Invoice Ref", "Bill No.", "Document No.", "Rechnung Nr.",
           "Rechnungsnummer", "Facture N°", "Inv #", "INVOICE NO"]
L_INVDATE = ["Invoice Date", "Date", "Date of issue", "Issue date", "Invoice date", "Dated",
             "Billing Date", "Date issued", "Tax point", "Invoice Date/Tax Point", "Rechnungsdatum",
             "Datum", "Date de facture", "Bill Date", "Issued"]
L_DUE = ["Due Date", "Payment due", "Due date", "Due", "Payment Due Date", "Pay by", "Due by",
         "Payable by", "Zahlbar bis", "Fällig am", "Échéance", "Date due", "Please pay by"]
L_NET = ["Subtotal", "Sub-total", "Net amount", "Net Total", "Total net", "Total excl. VAT",
         "Net", "Amount before tax", "Total HT", "Nettobetrag", "Summe netto", "Taxable value",
         "Total (excl. tax)", "Sub Total", "Net value"]
L_TOTAL = ["Total", "Grand Total", "Total Due", "Amount Due", "Balance Due", "Invoice Total",
           "TOTAL", "Total amount", "Total TTC", "Amount payable", "Gesamtbetrag", "Rechnungsbetrag",
           "Total incl. VAT", "Total to pay", "Net payable", "Total (incl. tax)", "Amount due",
           "Please pay", "Total Amount Due", "Endbetrag", "Total gross"]
L_CUST = ["Bill to", "Bill To", "Billed to", "Sold to", "Customer", "Invoice to", "To", "Client",
          "BILL TO", "Customer:", "Rechnungsempfänger", "Kunde", "Buyer", "Invoiced to",
          "Recipient", "Facturé à", "Billing address"]
L_SHIP = ["Ship to", "Deliver to", "Delivery address", "Ship To", "SHIP TO", "Lieferadresse"]


GERMAN = {"Rechnung Nr.", "Rechnungsnummer", "Rechnungsdatum", "Datum", "Zahlbar bis", "Fällig am",
          "Nettobetrag", "Summe netto", "Gesamtbetrag", "Rechnungsbetrag", "Endbetrag", "Rechnungsempfänger",
          "Kunde", "Lieferadresse", "Rechnung", "Invoice / Rechnung"}
GERMAN |= {"Beschreibung", "Menge", "Einzelpreis", "Betrag", "Wir berechnen Ihnen folgende Leistungen:",
           "Bitte zahlen Sie bis zum ", "Vielen Dank für Ihren Auftrag.", "Bestelldatum", "Ihre Bestellung",
           "Kundennummer", "Lieferdatum", "Kontoinhaber", "Seite {p} von {n}", "Rechnung"}
FRENCH = {"Facture N°", "Date de facture", "Échéance", "Total HT", "Total TTC", "Facturé à", "Facture",
          "Merci de votre confiance."}
MALAY = {"Terima kasih.", "Terima Kasih"}
GERMAN |= {"EC-Karte", "Kassenbon", "SUMME", "Zwischensumme", "Vielen Dank für Ihren Einkauf", "Beleg", "Datum: "}


def loc(lst: list[str], cc: str) -> list[str]:
    """Drop German / French label variants outside their countries."""
    out = [x for x in lst if (x not in GERMAN or cc in ("DE", "AT", "CH"))
           and (x not in FRENCH or cc in ("FR", "CH") or x == "Total TTC")
           and (x not in MALAY or cc == "MY")]
    return out or lst


def sep(g: Gen) -> str:
    return g.ch([": ", ": ", ":  ", " ", " - ", " : ", ":\t"]).replace("\t", " ")


def make_invoice(g: Gen) -> tuple[Doc, dict]:
    r = g.r
    if g.o.get("email") or ("email" not in g.o and r.random() < 0.06):
        return make_email_invoice(g)
    cc = g.ch(list(PROFILE_WEIGHTS), "country") if "country" in g.o else \
        r.choices(list(PROFILE_WEIGHTS), weights=list(PROFILE_WEIGHTS.values()))[0]
    prof = PROFILES[cc]
    cur = prof["cur"]
    amt_style = g.ch(prof["amt"], "amt_style")
    date_style = g.ch(prof["dates"], "date_style")
    sym = g.ch(prof["sym"], "sym")
    if sym == "₹" and g.o.get("latin1"):
        sym = "Rs."
    sym_pos = g.ch(["before", "before_sp", "after_sp", "none", "none"] if sym in ("€", "$", "£", "₹")
                   else ["before_sp", "after_sp", "none", "before"], "sym_pos")
    if sym in ("$", "£", "€", "₹") and sym_pos == "before_sp" and r.random() < 0.6:
        sym_pos = "before"
    cust_cc = cc if r.random() < 0.75 else g.ch(list(PROFILE_WEIGHTS))
    vendor = g.o.get("vendor") or g.company(cc)
    customer = g.o.get("customer") or (g.company(cust_cc) if r.random() < 0.8 else g.person())
    inv_date = g.o.get("invoice_date") or g.date()
    due_days = g.ch([7, 10, 14, 14, 21, 30, 30, 30, 45, 60, 90, 0], "due_days")
    due_date = inv_date + _dt.timedelta(days=due_days)
    inv_no = g.o.get("invoice_number") or g.invoice_no(inv_date.year, cc)
    simple = g.o.get("simple", False)

    has_due = g.p(0.7, "has_due")
    has_tax = g.p(0.85, "has_tax")
    has_customer = g.p(0.9, "has_customer")
    n_pages_target = g.o.get("pages", 2 if r.random() < 0.08 else 1)

    # items
    services = r.random() < 0.45
    n_items = g.o.get("n_items") or (g.ri(12, 22) if n_pages_target > 1 else g.ri(1, 8))
    items = []
    for _ in range(n_items):
        desc = g.ch(ITEMS_SERVICES if services else ITEMS_GOODS)
        qty = g.ch([1, 1, 1, 2, 3, 4, 5, 10, 12, 20, 25, 50, 100]) if not services else g.ch([1, 1, 2, 4, 8, 10, 16, 24, 40])
        scale = g.ch([1, 1, 1, 10, 100]) if cur in ("INR",) else 1
        unit = g.ri(150, 250000 if qty == 1 else 30000) * scale
        if r.random() < 0.4:
            unit = (unit // 100) * 100
        items.append((desc, qty, unit, qty * unit))
    net = sum(i[3] for i in items)
    rate = g.ch(prof["rates"], "tax_rate") if has_tax else 0
    if has_tax and rate == 0:
        rate = g.ch([x for x in prof["rates"] if x] or [10])
    tax = round(net * rate / 100) if has_tax else 0
    total = net + tax
    if "force_net" in g.o:
        # caller-controlled amounts: single item
        net = g.o["force_net"]
        tax = round(net * rate / 100) if has_tax else 0
        total = net + tax
        items = [(items[0][0], 1, net, net)]

    W = g.o.get("width") or g.ch([72, 78, 84, 90, 96, 100])
    layout_mode = g.o.get("columns") or g.ch(["side", "side", "side", "stack"])

    def money(cents: int, label: str | None, pos: str | None = None) -> list[Seg]:
        return lab(g.money(prof, amt_style, cents, sym, pos or sym_pos), label)

    def fd(d: _dt.date) -> str:
        return fmt_date(d, date_style)

    d = Doc()
    vendor_addr = g.address(cc)
    vendor_phone = g.phone(cc)
    vat_label, vat_no = g.vat_id(cc)
    cust_addr = g.address(cust_cc)
    vendor_case = vendor

    # ---- header ---------------------------------------------------------
    header_style = g.ch(["left", "left", "center", "title_first", "footer_only", "right"], "header")
    title = g.ch(loc(INV_TITLES, cc), "title")
    contact = []
    if r.random() < 0.8:
        contact.append(f"{g.ch(['Tel', 'Tel.', 'Phone', 'Ph', 'T'])}{g.ch([': ', ' ', '. '])}{vendor_phone}")
    if r.random() < 0.5:
        dom = re.sub(r"[^a-z]", "", vendor.lower().split()[0])[:12] or "mail"
        contact.append(f"{g.ch(['Email', 'E-mail', 'E'])}: {g.ch(['info', 'billing', 'accounts', 'sales'])}@{dom}.{g.ch(['com', 'de', 'co.uk', 'fr', 'ch', 'com.my', 'in', 'net'])}")
    if r.random() < 0.5:
        contact.append(f"{vat_label}: {vat_no}")
    vblock: list[list[Seg]] = [[(vendor_case, "VENDOR")]] + [[a] for a in vendor_addr] + [[c] for c in contact]

    if header_style == "title_first":
        d.line(*center([title], W)) if r.random() < 0.5 else d.line(title)
        d.blank()
    if header_style in ("left", "title_first"):
        right_col = [[title]] if header_style == "left" else []
        d.lines(columns(vblock, right_col, W - 20, mode=layout_mode) if right_col else vblock)
    elif header_style == "right":
        for row in vblock:
            d.line(*right(row, W))
        d.blank()
        d.line(title)
    elif header_style == "center":
        for row in vblock[: 1 + len(vendor_addr)]:
            d.line(*center(row, W))
        if contact:
            d.line(*center([" | ".join(contact)], W))
        d.blank()
        d.line(*center([title], W))
    else:  # footer_only: vendor appears only in the footer
        d.line(title)
    d.blank(g.ri(1, 2))

    # ---- meta + customer ---------------------------------------------------
    meta: list[list[Seg]] = []
    ls = sep(g)
    lbl_no = g.ch(loc(L_INVNO, cc), "l_invno")
    lbl_date = g.ch(loc(L_INVDATE, cc), "l_date")
    lbl_due = g.ch(loc(L_DUE, cc), "l_due")
    if lbl_no == "Invoice #" and r.random() < 0.5:
        meta.append([f"{lbl_no}", (inv_no, "INVOICE_NO")])
    else:
        meta.append([f"{lbl_no}{ls}", (inv_no, "INVOICE_NO")])
    meta.append([f"{lbl_date}{ls}", (fd(inv_date), "INVOICE_DATE")])
    distract_dates = []
    if r.random() < 0.35 and not simple:
        od = inv_date - _dt.timedelta(days=g.ri(1, 30))
        distract_dates.append(od)
        meta.append([f"{g.ch(loc(['Order Date', 'Order date', 'PO Date', 'Bestelldatum', 'Date of order'], cc))}{ls}{fd(od)}"])
    if r.random() < 0.35 and not simple:
        meta.append([f"{g.ch(loc(['PO Number', 'PO #', 'Purchase Order', 'Your ref.', 'Order No.', 'Customer PO', 'Ihre Bestellung'], cc))}{ls}{g.ch(['PO-', '', '4500', 'ORD-'])}{g.digits(g.ri(4, 7))}"])
    if r.random() < 0.3 and not simple:
        meta.append([f"{g.ch(loc(['Customer No.', 'Customer ID', 'Account No.', 'Kundennummer', 'Client ID'], cc))}{ls}{g.digits(g.ri(4, 8))}"])
    if r.random() < 0.25 and not simple:
        dd = inv_date - _dt.timedelta(days=g.ri(0, 10))
        meta.append([f"{g.ch(loc(['Delivery Date', 'Delivery date', 'Ship Date', 'Lieferdatum', 'Date of supply', 'Shipped'], cc))}{ls}{fd(dd)}"])
    due_in_meta = has_due and r.random() < 0.6
    if due_in_meta:
        meta.append([f"{lbl_due}{ls}", (fd(due_date), "DUE_DATE")])
    if r.random() < 0.2 and not simple:
        meta.append([f"{g.ch(['Terms', 'Payment terms', 'Terms of payment'])}{ls}{g.ch(['Net ' + str(due_days), str(due_days) + ' days', 'Due on receipt' if due_days == 0 else 'Net ' + str(due_days)])}"])
    if r.random() < 0.15:
        r.shuffle(meta)

    cblock: list[list[Seg]] = []
    if has_customer:
        cl = g.ch(loc(L_CUST, cc), "l_cust")
        if r.random() < 0.3:
            cblock.append([f"{cl}{'' if cl.endswith(':') else ':'} ", (customer, "CUSTOMER")])
        else:
            cblock.append([cl + ("" if cl.endswith(":") or r.random() < 0.4 else ":")])
            cblock.append([(customer, "CUSTOMER")])
        if r.random() < 0.3:
            cblock.append([f"{g.ch(['Attn', 'Attn.', 'c/o', 'Contact'])}: {g.person()}"])
        cblock += [[a] for a in cust_addr]
        if r.random() < 0.2:
            vl, vn = g.vat_id(cust_cc)
            cblock.append([f"{vl}: {vn}"])

    meta_style = g.ch(["beside", "beside", "below", "above", "table"], "meta_style")
    if meta_style == "table" and not simple:
        heads = [lbl_no, lbl_date] + ([lbl_due] if due_in_meta else [])
        vals = [(inv_no, "INVOICE_NO"), (fd(inv_date), "INVOICE_DATE")] + ([(fd(due_date), "DUE_DATE")] if due_in_meta else [])
        cw = max(max(len(h) for h in heads), max(len(v[0]) for v in vals)) + 4
        d.line(*sum([pad([h], cw) for h in heads], []))
        d.line(*sum([pad([v], cw) for v in vals], []))
        d.blank()
        if cblock:
            ship = []
            if r.random() < 0.3:
                ship = [[g.ch(loc(L_SHIP, cc)) + ":"], [(customer, "CUSTOMER") if r.random() < 0.6 else g.person()]] + [[a] for a in g.address(cust_cc)]
            d.lines(columns(cblock, ship, W // 2, mode=layout_mode) if ship else cblock)
    elif meta_style in ("beside",) and cblock:
        d.lines(columns(cblock, meta, W // 2 + g.ri(0, 8), mode=layout_mode))
    elif meta_style == "above" or not cblock:
        d.lines(meta)
        d.blank()
        d.lines(cblock)
    else:
        d.lines(cblock)
        d.blank()
        if r.random() < 0.5:
            d.lines([right(pad(m, 36), W) for m in meta])
        else:
            d.lines(meta)
    d.blank(g.ri(1, 2))

    if r.random() < 0.3 and not simple:
        d.line(g.ch(loc(["Thank you for your order. We invoice you as follows:",
                     "Dear Customer, please find below our invoice for services rendered.",
                     "Wir berechnen Ihnen folgende Leistungen:",
                     f"Services for the period {fd(inv_date.replace(day=1))} - {fd(inv_date)}",
                     f"Project: {g.ch(PLACE)} {g.ch(['rollout', 'migration', 'campaign', 'phase 2'])}"], cc)))
        d.blank()

    # ---- items table -------------------------------------------------------------
    item_style = g.ch(["full", "full", "simple", "qty"], "item_style")
    body = Doc()
    dw = max(24, W - 44)
    if item_style == "full":
        hdr = [pad([g.ch(loc(["Description", "Item", "Description of services", "Beschreibung", "Particulars"], cc))], dw),
               pad([g.ch(loc(["Qty", "Quantity", "Menge", "Units", "Hrs"], cc))], 8),
               right([g.ch(loc(["Unit Price", "Rate", "Price", "Einzelpreis", "Unit"], cc))], 14),
               right([g.ch(loc(["Amount", "Total", "Line Total", "Betrag", f"Amount ({cur})"], cc))], 16)]
        body.line(*[s for h in hdr for s in h])
        if r.random() < 0.5:
            body.line("-" * min(W, dw + 38))
        for k, (desc, qty, unit, amt) in enumerate(items):
            if r.random() < 0.25:
                desc = f"{k + 1}. {desc}" if r.random() < 0.5 else f"{g.digits(5)} {desc}"
            body.line(*pad([desc[:dw - 1]], dw), *pad([str(qty)], 8), *right([fmt_amount(unit, amt_style)], 14),
                      *right([fmt_amount(amt, amt_style)], 16))
    elif item_style == "qty":
        for desc, qty, unit, amt in items:
            body.line(f"{qty} x {desc} @ {fmt_amount(unit, amt_style)}", *right([fmt_amount(amt, amt_style)], W - len(f"{qty} x {desc} @ {fmt_amount(unit, amt_style)}")))
    else:
        body.line(*pad([g.ch(["Description", "Services", "Item"])], W - 16), *right([g.ch(["Amount", "Total", "Price"])], 16))
        for desc, qty, unit, amt in items:
            body.line(*pad([desc], W - 16), *right([fmt_amount(amt, amt_style)], 16))
    d.extend(body)
    d.blank()

    # ---- totals ---------------------------------------------------------
    tot_style = g.ch(["right", "right", "left", "colon"], "tot_style")
    l_net = g.ch(loc(L_NET, cc), "l_net")
    l_tot = g.ch(loc(L_TOTAL, cc), "l_total")
    if l_tot in ("Total TTC",) and l_net not in ("Total HT",) and r.random() < 0.7:
        l_net = "Total HT"
    tax_name = g.ch(prof["tax"], "tax_name")
    rate_s = (f"{rate:g}" if amt_style not in ("de", "fr", "de_nosep") else f"{rate:g}".replace(".", ","))
    tax_label = g.ch([f"{tax_name} {rate_s}%", f"{tax_name} ({rate_s}%)", f"{tax_name} @ {rate_s}%", f"{tax_name}", f"{rate_s}% {tax_name}", f"plus {rate_s} % {tax_name}"])
    rows: list[tuple[str, list[Seg]]] = []
    if has_tax:
        rows.append((l_net, money(net, "NET")))
        if cc == "IN" and r.random() < 0.5:
            half = tax // 2
            rows.append((f"CGST @ {rate / 2:g}%", money(half, None)))
            rows.append((f"SGST @ {rate / 2:g}%", money(tax - half, None)))
            rows.append((g.ch(["Total Tax", "Total GST", "Tax Amount", "Total Tax Amount"]), money(tax, "TAX")))
        else:
            rows.append((tax_label, money(tax, "TAX")))
    elif r.random() < 0.3:
        rows.append((g.ch(["VAT 0%", "Tax exempt", "Reverse charge"]), money(0, None)))
    if r.random() < 0.15 and not simple:
        rows.append((g.ch(["Paid", "Amount paid", "Deposit received"]), money(0, None)))
    rows.append((l_tot, money(total, "TOTAL")))
    if cur and r.random() < 0.2 and sym_pos == "none":
        rows[-1] = (f"{l_tot} ({cur})", rows[-1][1])
    if tot_style == "right":
        lw = max(len(x[0]) for x in rows) + 4
        vw = max(seg_len(x[1]) for x in rows) + 2
        for lt, v in rows:
            d.line(*right(pad([lt + g.ch([":", ""])], lw) + right(v, vw), W))
    elif tot_style == "left":
        lw = max(len(x[0]) for x in rows) + 4
        for lt, v in rows:
            d.line(*pad([lt], lw), *v)
    else:
        for lt, v in rows:
            d.line(f"{lt}: ", *v)
    d.blank()

    # ---- payment / due ----------------------------------------------------
    if has_due and not due_in_meta:
        form = g.ch(["label", "sentence", "sentence_amt"], "due_form")
        if form == "label":
            d.line(f"{lbl_due}{ls}", (fd(due_date), "DUE_DATE"))
        elif form == "sentence":
            d.line(g.ch(loc(["Please pay by ", "Payment is due on ", "Payable without deduction by ", "Please remit payment by ", "Bitte zahlen Sie bis zum "], cc)),
                   (fd(due_date), "DUE_DATE"), g.ch([".", "", " at the latest."]))
        else:
            d.line(g.ch(["Please transfer ", "Please pay "]), *money(total, "TOTAL", "before_sp" if sym_pos == "none" else None),
                   g.ch([" by ", " no later than ", " until "]), (fd(due_date), "DUE_DATE"), ".")
    elif r.random() < 0.3 and not simple:
        d.line(g.ch([f"Payment terms: {due_days} days net.", f"Payable within {due_days} days of invoice date.",
                     "Due upon receipt."] + ([f"Zahlbar innerhalb von {due_days} Tagen ohne Abzug."] if cc in ("DE", "AT") else [])))
    if r.random() < 0.4:
        d.line("Please quote ", g.ch(["invoice number ", "reference "]), (inv_no, "INVOICE_NO"), " with your payment.")
    bank = []
    if r.random() < 0.7 or cc in ("DE", "FR", "NL", "CH", "AT"):
        bank.append(f"{g.ch(['Bank', 'Bank details', 'Payment details'] + (['Bankverbindung'] if cc in ('DE', 'AT') else []))}: {g.ch(PLACE)} {g.ch(['Bank', 'Sparkasse', 'Savings Bank', 'Credit Union', 'Bank plc'])}")
        if cc in ("US",) and r.random() < 0.7:
            bank.append(f"Routing No.: {g.digits(9)}  Account No.: {g.digits(10)}")
        elif cc in ("GB",) and r.random() < 0.5:
            bank.append(f"Sort code: {g.digits(2)}-{g.digits(2)}-{g.digits(2)}  Account: {g.digits(8)}")
        elif cc in ("MY", "IN", "SG", "AU", "CA") and r.random() < 0.6:
            bank.append(f"Account No.: {g.digits(12)}" + (f"  IFSC: {g.ch(['HDFC', 'ICIC', 'SBIN'])}0{g.digits(6)}" if cc == "IN" else ""))
        elif cc not in ("DE", "AT", "FR", "NL", "IT", "ES", "IE", "GB", "CH"):
            bank.append(f"Account No.: {g.digits(g.ri(8, 14))}  SWIFT: {''.join(r.choice('ABCDEFGHIJKLMNOPRSTUVWXYZ') for _ in range(6))}{g.ch(['2X', 'MM', '22', 'FF'])}")
        else:
            bank.append(f"IBAN: {iban(r, cc)}")
            bank.append(f"{g.ch(['BIC', 'SWIFT', 'BIC/SWIFT'])}: {''.join(r.choice('ABCDEFGHIJKLMNOPRSTUVWXYZ') for _ in range(6))}{g.ch(['2X', 'MM', '22', 'FF'])}{g.ch(['', 'XXX'])}")
        if r.random() < 0.5:
            bank.append(f"{g.ch(loc(['Account holder', 'Account name', 'Payee', 'Kontoinhaber'], cc))}: ")
    if bank:
        if bank[-1].endswith(": "):
            d.line(bank[-1], (vendor, "VENDOR"))
            bank = bank[:-1]
        d.lines([[b] for b in bank])
    if r.random() < 0.3:
        d.line(g.ch(loc(["Thank you for your business!", "Thank you for your custom.", "Vielen Dank für Ihren Auftrag.",
                     "Merci de votre confiance.", "Terima kasih.", "This is a computer generated invoice."], cc)))
    # ---- footer ----------------------------------------------------------
    if header_style == "footer_only" or r.random() < 0.35:
        d.blank()
        parts = [(vendor, "VENDOR")]
        extra = [", ".join(vendor_addr)]
        if r.random() < 0.5:
            extra.append(f"{vat_label}: {vat_no}")
        if cc in ("GB", "IE") and r.random() < 0.5:
            extra.append(f"Registered in {'England and Wales' if cc == 'GB' else 'Ireland'} No. {g.digits(8)}")
        if cc in ("DE", "AT") and r.random() < 0.5:
            extra.append(f"Geschäftsführer: {g.person()} · HRB {g.digits(5)}")
        if g.p(0.5) and len(vendor) + sum(len(e) + 3 for e in extra) <= W:
            d.line(*parts, " · " + " · ".join(extra))
        else:
            d.line(*parts)
            for e in extra:
                d.line(e)

    n_pages = 1
    if n_pages_target > 1:
        g.o = {**g.o, "_cc": cc}
        d, n_pages = split_invoice(g, d, inv_no)
    fields = {"doc_type": "invoice", "vendor": vendor,
              "customer": customer if has_customer else "",
              "invoice_number": inv_no, "invoice_date": inv_date.isoformat(),
              "due_date": due_date.isoformat() if has_due else "", "currency": cur,
              "net_amount": norm_amount(net) if has_tax else "",
              "tax_amount": norm_amount(tax) if has_tax else "",
              "total_amount": norm_amount(total)}
    return d, fields


def make_email_invoice(g: Gen) -> tuple[Doc, dict]:
    """Plain-text e-mail with the invoice data in the body."""
    r = g.r
    cc = g.o.get("country") or r.choices(list(PROFILE_WEIGHTS), weights=list(PROFILE_WEIGHTS.values()))[0]
    prof = PROFILES[cc]
    cur = prof["cur"]
    amt_style = g.ch(prof["amt"], "amt_style")
    date_style = g.ch(prof["dates"], "date_style")
    sym = g.ch([x for x in prof["sym"] if x != "₹"] or prof["sym"], "sym")
    vendor = g.o.get("vendor") or g.company(cc)
    customer = g.o.get("customer") or g.company(cc)
    inv_date = g.o.get("invoice_date") or g.date()
    due = inv_date + _dt.timedelta(days=g.ch([10, 14, 30, 30, 45]))
    inv_no = g.o.get("invoice_number") or g.invoice_no(inv_date.year, cc)
    net = g.o.get("force_net") or g.ri(5000, 2500000)
    rate = g.ch([x for x in prof["rates"] if x] or [10], "tax_rate")
    tax = round(net * rate / 100)
    total = net + tax

    def fd(x):
        return fmt_date(x, date_style)

    sender = g.person()
    recip = g.person()
    dom = re.sub(r"[^a-z]", "", vendor.lower().split()[0])[:12] or "mail"
    cdom = re.sub(r"[^a-z]", "", customer.lower().split()[0])[:12] or "client"
    tld = {"DE": "de", "CH": "ch", "GB": "co.uk", "FR": "fr", "MY": "com.my", "IN": "in"}.get(cc, "com")
    sent = inv_date + _dt.timedelta(days=g.ch([0, 1, 2]))
    wd = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][sent.weekday()]
    sp = " " if sym.isalpha() or len(sym) > 1 else ""

    def m(c, label):
        return [f"{sym}{sp}", (fmt_amount(c, amt_style), label)] if r.random() < 0.8 else [(fmt_amount(c, amt_style), label), f" {cur}"]

    d = Doc()
    d.line(f"From: {sender} <{g.ch(['billing', 'accounts', 'invoices', 'finance'])}@{dom}.{tld}>")
    d.line(f"To: {recip} <{recip.split()[-1].lower().strip('.')}@{cdom}.{tld}>")
    d.line(f"Date: {wd}, {sent.day} {MONTHS[sent.month - 1][:3]} {sent.year} {g.ri(8, 17):02d}:{g.ri(0, 59):02d}:{g.ri(0, 59):02d} {g.ch(['+0100', '+0000', '-0500', '+0800', '+0530'])}")
    d.line(f"Subject: {g.ch(['Invoice', 'Your invoice', 'New invoice'])} ", (inv_no, "INVOICE_NO"), " from ", (vendor, "VENDOR"))
    d.blank()
    d.line(f"Dear {recip.split()[0] if r.random() < 0.5 else recip},")
    d.blank()
    d.line(g.ch(["please find below our invoice for the services delivered last month.",
                 "thank you for your order. Here is your invoice:",
                 "as agreed, we are invoicing the following:"]))
    d.blank()
    lw = 18
    d.line(*pad([g.ch(["Invoice number:", "Invoice no.:", "Invoice #:"])], lw), (inv_no, "INVOICE_NO"))
    d.line(*pad([g.ch(["Invoice date:", "Date of issue:", "Issue date:"])], lw), (fd(inv_date), "INVOICE_DATE"))
    d.line(*pad([g.ch(["Customer:", "Billed to:", "Bill to:"])], lw), (customer, "CUSTOMER"))
    d.line(*pad(["Description:"], lw), g.ch(ITEMS_SERVICES))
    d.blank()
    tname = g.ch(prof["tax"])
    d.line(*pad([g.ch(["Net amount:", "Subtotal:", "Amount (net):"])], lw), *m(net, "NET"))
    d.line(*pad([f"{tname} {rate:g}%:"], lw), *m(tax, "TAX"))
    d.line(*pad([g.ch(["Total due:", "Total:", "Amount due:", "Total amount:"])], lw), *m(total, "TOTAL"))
    d.blank()
    d.line(g.ch(["Please pay by ", "Payment is due by ", "Please transfer the amount by "]), (fd(due), "DUE_DATE"),
           f" to IBAN {iban(r, cc if cc in ('DE', 'GB', 'FR', 'CH', 'NL', 'IT', 'ES', 'AT', 'IE') else 'DE')}, quoting the invoice number.")
    d.blank()
    d.line(g.ch(["Kind regards,", "Best regards,", "Thanks and regards,", "Regards,"]))
    d.line(sender)
    d.line((vendor, "VENDOR"))
    for a in g.address(cc):
        d.line(a)
    d.line(f"Tel. {g.phone(cc)}")
    fields = {"doc_type": "invoice", "vendor": vendor, "customer": customer, "invoice_number": inv_no,
              "invoice_date": inv_date.isoformat(), "due_date": due.isoformat(), "currency": cur,
              "net_amount": norm_amount(net), "tax_amount": norm_amount(tax), "total_amount": norm_amount(total)}
    return d, fields


def split_invoice(g: Gen, d: Doc, inv_no: str) -> tuple[Doc, int]:
    """Two-page invoice: break in the middle of the items so totals land on page 2."""
    text = d.text
    lines = text.split("\n")
    # break after ~60% of lines, before the totals
    k = max(int(len(lines) * g.ch([0.5, 0.55, 0.6])), (len(lines) + 1) // 2 + 1)
    lpp = k
    def header(p, n):
        if p == 1:
            return None
        h = Doc()
        h.line(f"{g.ch(loc(['Invoice', 'Invoice No.', 'Rechnung'], g.o.get('_cc', '')))} ", (inv_no, "INVOICE_NO"), g.ch([" (continued)", " - page 2", ""]))
        h.blank()
        return h
    def footer(p, n):
        f = Doc()
        f.line(g.ch([f"Page {p} of {n}", f"Page {p}/{n}", f"- {p} -"] + ([f"Seite {p} von {n}"] if g.o.get("_cc") in ("DE", "AT", "CH") else [])))
        return f
    out, n = paginate(d, lpp, header, footer)
    return out, n


# --------------------------------------------------------------------------
# receipts
# --------------------------------------------------------------------------

def make_receipt(g: Gen) -> tuple[Doc, dict]:
    r = g.r
    cc = g.o.get("country") or r.choices(["MY", "GB", "US", "DE", "FR", "CH", "IN", "SG", "IE", "NL"],
                                         weights=[25, 18, 15, 10, 6, 5, 8, 4, 3, 3])[0]
    prof = PROFILES[cc]
    cur = prof["cur"]
    amt_style = g.ch(["en", "en_nosep"] if cc in ("MY", "GB", "US", "IN", "SG", "IE") else ["de", "de_nosep", "en"], "amt_style")
    if cc == "CH":
        amt_style = g.ch(["en", "ch"], "amt_style")
    date_style = g.ch(prof["dates"] + (["dmy_slash", "dmy_dash"] if cc == "MY" else []), "date_style")
    sym = g.ch(prof["sym"], "sym")
    if sym == "₹":
        sym = "Rs."
    W = g.o.get("width") or g.ch([32, 36, 40, 42, 48])
    store = g.o.get("vendor") or g.company(cc)
    if r.random() < 0.5 and "vendor" not in g.o:
        store = store.upper()
    dt = g.o.get("invoice_date") or g.date(2015, 2026)
    d = Doc()
    centered = g.p(0.7, "centered")

    def cl(*segs):
        d.line(*(center(list(segs), W) if centered else segs))

    if r.random() < 0.2:
        cl(g.ch(["WELCOME", "*** WELCOME ***", "Welcome to"]))
    cl((store, "VENDOR"))
    if cc in ("MY", "IN", "SG") and r.random() < 0.6:
        cl(f"({g.ch(['Co. No.', 'Company No.', 'Reg. No.', 'ROC'])} {g.digits(6)}-{g.ch('ADKMPTUVWX')})")
    for a in g.address(cc)[: g.ri(1, 3)]:
        cl(a.upper() if r.random() < 0.4 else a)
    if r.random() < 0.7:
        cl(f"{g.ch(['TEL', 'Tel', 'Phone', 'Tel.'])}: {g.phone(cc)}")
    if r.random() < 0.5:
        vl, vn = g.vat_id(cc)
        cl(f"{vl}: {vn}")
    cl(g.ch(loc(["TAX INVOICE", "RECEIPT", "SALES RECEIPT", "CASH SALE", "Receipt", "SIMPLIFIED TAX INVOICE", "Kassenbon", "INVOICE", ""], cc)))
    d.line("-" * W if r.random() < 0.6 else "")
    tm = f"{g.ri(7, 22):02d}:{g.ri(0, 59):02d}" + (f":{g.ri(0, 59):02d}" if r.random() < 0.5 else "")
    if r.random() < 0.3:
        tm = f"{(int(tm[:2]) - 1) % 12 + 1}:{tm[3:5]} {'PM' if int(tm[:2]) >= 12 else 'AM'}"
    rno = f"{g.ch(loc(['Receipt', 'Rcpt', 'Bill', 'Invoice', 'Trans', 'Doc', 'Beleg'], cc))}{g.ch([' No', ' #', '#', ' No.', ':'])}{g.ch([': ', ' '])}{g.ch(['', 'CS', 'R', 'T'])}{g.digits(g.ri(5, 10))}"
    date_label = g.ch(loc(["Date: ", "Date ", "DATE: ", "", "", "Datum: ", "Dt: "], cc), "date_label")
    form = g.ch(["sep", "together", "together"])
    if form == "sep":
        d.line(rno)
        d.line(date_label, (fmt_date(dt, date_style), "INVOICE_DATE"), g.ch(["  ", " "]), g.ch(["Time: ", ""]), tm)
    else:
        dl = [date_label, (fmt_date(dt, date_style), "INVOICE_DATE"), " ", tm]
        d.line(*pad(dl, W - len(rno) - 1) if len(rno) + seg_len(dl) < W else dl, *([" " + rno] if len(rno) + seg_len(dl) < W else []))
        if len(rno) + seg_len(dl) >= W:
            d.line(rno)
    if r.random() < 0.5:
        d.line(f"{g.ch(['Cashier', 'CASHIER', 'Served by', 'Operator', 'Staff'])}: {g.ch(FIRST).upper() if r.random() < 0.5 else g.ch(FIRST)}" +
               (f"   {g.ch(['Table', 'POS', 'Till', 'Counter'])}: {g.ri(1, 30)}" if r.random() < 0.4 else ""))
    d.line("-" * W if r.random() < 0.6 else "")
    n = g.o.get("n_items") or g.ri(1, 9)
    lines_total = 0
    for _ in range(n):
        name = g.ch(RECEIPT_ITEMS)
        if r.random() < 0.3:
            name = name.title()
        qty = g.ch([1, 1, 1, 1, 2, 2, 3, 4])
        unit = g.ri(50, 3000 if cur not in ("INR",) else 50000)
        amt = qty * unit
        lines_total += amt
        a = fmt_amount(amt, amt_style)
        if qty > 1 and r.random() < 0.6:
            d.line(name[: W - 2])
            q = f"  {qty} x {fmt_amount(unit, amt_style)}"
            d.line(q, *right([a], W - len(q)))
        else:
            d.line(*pad([name[: W - 12]], W - 10), *right([a], 10))
    tax_rate = g.ch([x for x in prof["rates"] if x] or [6])
    tax_included = g.p(0.3, "tax_included") if cc in ("US", "MY", "IN") else True
    tax_lines = g.o.get("tax_lines", True)
    if tax_included:
        total = lines_total
        tax = round(total * tax_rate / (100 + tax_rate))
    else:
        tax = round(lines_total * tax_rate / 100)
        total = lines_total + tax
    rounding = 0
    if cc == "MY" and r.random() < 0.5:
        rounding = (5 - total % 5) % 5
        if rounding > 2:
            rounding -= 5
    if not tax_lines:
        rounding = 0
    grand = total + rounding
    d.line("-" * W if r.random() < 0.5 else "")

    def amt_line(label, cents, labl=None, show_sym=False):
        a = fmt_amount(cents, amt_style)
        pre = (sym + (" " if r.random() < 0.5 or len(sym) > 1 else "")) if show_sym else ""
        d.line(*pad([label], W - len(a) - len(pre)), pre, ((a, labl) if labl else a))

    show_sym = r.random() < 0.5
    if tax_lines and (not tax_included or r.random() < 0.4):
        amt_line(g.ch(loc(["SUBTOTAL", "Subtotal", "Sub Total", "Total Excl. Tax", "Zwischensumme"], cc)), lines_total if not tax_included else lines_total - tax)
    if tax_lines and (r.random() < 0.8 or not tax_included):
        tname = g.ch(prof["tax"])
        amt_line(f"{tname} {tax_rate:g}%" + (" incl." if tax_included and r.random() < 0.5 else ""), tax)
    if rounding and tax_lines:
        amt_line(g.ch(["Rounding Adj", "Rounding", "ROUNDING ADJ"]), rounding)
    tl = g.ch(["TOTAL", "Total", "TOTAL DUE", "GRAND TOTAL", "Total Amount", "TOTAL (INCL. TAX)", "AMOUNT DUE", "Total Sales", "SUMME" if cc in ("DE", "AT", "CH") else "TOTAL", "Net Total", "TOTAL RM" if cur == "MYR" else "TOTAL"], "total_label")
    if "tl_cur" in g.o or r.random() < 0.2:
        tl = f"{tl} ({cur if r.random() < 0.5 else sym})"
    amt_line(tl, grand, "TOTAL", show_sym)
    pay = g.ch(loc(["CASH", "Cash", "VISA", "MASTERCARD", "Card", "DEBIT", "E-WALLET", "Contactless", "EC-Karte", "AMEX"], cc))
    if pay.lower() == "cash" and r.random() < 0.8:
        tend = ((grand // 500) + 1) * 500 if r.random() < 0.5 else ((grand // 1000) + 1) * 1000
        amt_line(pay, tend)
        amt_line(g.ch(["CHANGE", "Change", "Change Due", "BALANCE"]), tend - grand)
    else:
        amt_line(pay, grand)
        if r.random() < 0.5:
            d.line(f"{g.ch(['Card', 'CARD NO', 'Acct'])}: ************{g.digits(4)}")
    d.blank()
    if r.random() < 0.4:
        d.line(f"{g.ch(['Items', 'No. of items', 'Qty'])}: {n}")
    if r.random() < 0.8:
        cl(g.ch(loc(["THANK YOU", "Thank you for shopping with us!", "THANK YOU, PLEASE COME AGAIN",
                 "Goods sold are not returnable", "Vielen Dank für Ihren Einkauf", "Please keep this receipt",
                 "Thank you! Visit us again", "Terima Kasih"], cc)))
    if r.random() < 0.2:
        cl((store, "VENDOR"))
    fields = {"doc_type": "receipt", "vendor": store, "invoice_date": dt.isoformat(),
              "currency": cur, "total_amount": norm_amount(grand)}
    return d, fields


# --------------------------------------------------------------------------
# contracts
# --------------------------------------------------------------------------

CONTRACT_TYPES = [
    ("Distribution Agreement", "Company", "Distributor"),
    ("Master Services Agreement", "Customer", "Provider"),
    ("Software License Agreement", "Licensor", "Licensee"),
    ("Consulting Agreement", "Client", "Consultant"),
    ("Supply Agreement", "Supplier", "Buyer"),
    ("Reseller Agreement", "Vendor", "Reseller"),
    ("Maintenance and Support Agreement", "Provider", "Customer"),
    ("Joint Marketing Agreement", "Company", "Partner"),
    ("Manufacturing Agreement", "Customer", "Manufacturer"),
    ("Sponsorship Agreement", "Sponsor", "Organizer"),
    ("Agency Agreement", "Principal", "Agent"),
    ("Outsourcing Agreement", "Client", "Service Provider"),
    ("Hosting Agreement", "Customer", "Host"),
    ("Endorsement Agreement", "Company", "Endorser"),
    ("Franchise Agreement", "Franchisor", "Franchisee"),
    ("Co-Branding Agreement", "Company", "Partner"),
    ("Transportation Services Agreement", "Shipper", "Carrier"),
    ("Services Agreement", "Company", "Contractor"),
    ("Collaboration Agreement", "Company", "Collaborator"),
    ("License Agreement", "Licensor", "Licensee"),
    ("Strategic Alliance Agreement", "Company", "Partner"),
    ("Intellectual Property Agreement", "Assignor", "Assignee"),
    ("Non-Competition Agreement", "Company", "Executive"),
    ("Content License Agreement", "Licensor", "Licensee"),
]

JURIS = [
    ("the State of ", "New York"), ("the State of ", "Delaware"), ("the State of ", "California"),
    ("the State of ", "Texas"), ("the State of ", "Illinois"), ("the Commonwealth of ", "Massachusetts"),
    ("the State of ", "Florida"), ("the State of ", "Nevada"), ("the State of ", "Washington"),
    ("the State of ", "Georgia"), ("the State of ", "New Jersey"), ("the Commonwealth of ", "Pennsylvania"),
    ("the State of ", "Colorado"), ("the State of ", "Minnesota"), ("the State of ", "Ohio"),
    ("", "England and Wales"), ("", "England"), ("", "Scotland"), ("the Province of ", "Ontario"),
    ("the Province of ", "British Columbia"), ("the Federal Republic of ", "Germany"), ("", "Germany"),
    ("", "Switzerland"), ("", "Singapore"), ("", "Ireland"), ("", "the Netherlands"), ("", "France"),
    ("", "Hong Kong"), ("", "India"), ("", "Malaysia"), ("the State of ", "New South Wales"),
    ("", "the State of Israel"), ("the Grand Duchy of ", "Luxembourg"), ("", "Sweden"),
]

INCORP = ["a Delaware corporation", "a Nevada corporation", "a New York limited liability company",
          "a California corporation", "a corporation organized under the laws of the State of Texas",
          "a company incorporated in England and Wales", "a German limited liability company (GmbH)",
          "a Swiss corporation", "a private limited company incorporated under the laws of Singapore",
          "a Delaware limited liability company", "an Ontario corporation", "a company organized under the laws of Ireland",
          "a Malaysian company", "a company incorporated under the Companies Act, 2013 (India)",
          "a French société anonyme", "a Dutch private company with limited liability",
          "a Washington corporation", "a Florida limited liability company", "a Colorado corporation"]

INCORP_BY_CC = {
    "US": [x for x in INCORP if any(k in x for k in ("Delaware", "Nevada", "New York", "California", "Texas", "Washington", "Florida", "Colorado"))],
    "GB": ["a company incorporated in England and Wales", "a private limited company registered in England and Wales under company number 0%d" % 4417211],
    "DE": ["a German limited liability company (GmbH)", "a company organized under the laws of Germany"],
    "CH": ["a Swiss corporation", "a stock corporation organized under the laws of Switzerland"],
    "SG": ["a private limited company incorporated under the laws of Singapore"],
    "IN": ["a company incorporated under the Companies Act, 2013 (India)"],
    "MY": ["a Malaysian company", "a company incorporated in Malaysia"],
    "CA": ["an Ontario corporation", "a British Columbia company"],
    "IE": ["a company organized under the laws of Ireland"],
    "NL": ["a Dutch private company with limited liability"],
    "FR": ["a French société anonyme", "a French société par actions simplifiée"],
    "AU": ["an Australian proprietary company"],
}

FILLER = [
    "{A} shall use commercially reasonable efforts to promote and market the Products in the Territory and shall maintain adequate inventory to meet customer demand.",
    "Each party shall keep confidential all Confidential Information received from the other party and shall not disclose such information to any third party without the prior written consent of the disclosing party, except to its employees and advisers who need to know such information.",
    "All payments under this Agreement shall be made in immediately available funds within thirty (30) days after receipt of a correct invoice. Late payments shall bear interest at the rate of one and one-half percent (1.5%) per month or the maximum rate permitted by law, whichever is less.",
    "Either party may terminate this Agreement upon written notice if the other party materially breaches this Agreement and fails to cure such breach within thirty (30) days after receiving written notice thereof.",
    "Neither party shall be liable for any indirect, incidental, special, consequential or punitive damages, including lost profits, arising out of or relating to this Agreement, even if advised of the possibility of such damages.",
    "{B} represents and warrants that the Services will be performed in a professional and workmanlike manner in accordance with generally accepted industry standards.",
    "Neither party shall be liable for any failure or delay in performance caused by events beyond its reasonable control, including acts of God, war, terrorism, strikes, epidemics or governmental action (a \"Force Majeure Event\").",
    "This Agreement may not be assigned by either party without the prior written consent of the other party, except in connection with a merger, acquisition or sale of all or substantially all of its assets.",
    "All notices under this Agreement shall be in writing and shall be deemed given when delivered personally, sent by certified mail, return receipt requested, or by a recognized overnight courier to the addresses set forth below.",
    "This Agreement constitutes the entire agreement between the parties with respect to its subject matter and supersedes all prior and contemporaneous agreements, proposals and representations, whether written or oral.",
    "No amendment or waiver of any provision of this Agreement shall be effective unless in writing and signed by both parties. No failure or delay in exercising any right shall operate as a waiver thereof.",
    "If any provision of this Agreement is held invalid or unenforceable, the remaining provisions shall continue in full force and effect.",
    "{B} shall maintain, at its own expense, commercial general liability insurance with limits of not less than {money} per occurrence and shall provide certificates of insurance upon request.",
    "{A} shall pay {B} the fees set forth in Exhibit A. Fees are exclusive of all taxes, which shall be borne by {A}, other than taxes on {B}'s net income.",
    "Each party shall indemnify, defend and hold harmless the other party and its officers, directors and employees from and against any and all claims, losses and expenses arising from its gross negligence or willful misconduct.",
    "{B} shall provide {A} with quarterly reports no later than fifteen (15) days after the end of each calendar quarter, setting out the quantities sold and the revenues received.",
    "All intellectual property rights in the Deliverables shall vest in {A} upon full payment of the applicable fees. {B} retains all rights in its pre-existing materials.",
    "The relationship of the parties is that of independent contractors. Nothing in this Agreement shall be construed to create a partnership, joint venture or agency relationship.",
    "Sections 5 (Confidentiality), 8 (Indemnification), 9 (Limitation of Liability) and 12 (Governing Law) shall survive any expiration or termination of this Agreement.",
    "{A} may audit the relevant books and records of {B} once per calendar year upon at least ten (10) business days' prior written notice.",
    "The minimum purchase commitment for the first contract year is {money}, payable in four equal quarterly installments.",
    "This Agreement may be executed in counterparts, each of which shall be deemed an original and all of which together shall constitute one and the same instrument.",
    "Upon termination, each party shall return or destroy all Confidential Information of the other party, and {A} shall pay all amounts accrued prior to the effective date of termination.",
    "{B} shall comply with all applicable laws and regulations, including anti-bribery, export control and data protection laws, in performing its obligations under this Agreement.",
]

SECTION_TITLES = ["Definitions", "Appointment", "Services", "Fees and Payment", "Confidentiality",
                  "Warranties", "Indemnification", "Limitation of Liability", "Insurance", "Termination",
                  "Intellectual Property", "Reports and Audit", "Force Majeure", "Assignment", "Notices",
                  "Miscellaneous", "Compliance with Laws", "Relationship of the Parties"]


def term_phrase(g: Gen) -> tuple[str, str, int, str]:
    """(phrase, iso, n, unit)"""
    unit = g.ch(["years", "years", "years", "months", "months", "days"])
    if unit == "years":
        n = g.ch([1, 2, 2, 3, 3, 4, 5, 5, 7, 10])
    elif unit == "months":
        n = g.ch([6, 12, 18, 24, 36, 36, 48, 60])
    else:
        n = g.ch([30, 60, 90, 90, 180, 365])
    u = unit if n != 1 else unit[:-1]
    w = NUM_WORDS.get(n)
    forms = [f"{n} {u}"]
    if w:
        forms += [f"{w} ({n}) {u}", f"{w} ({n}) {u}", f"{w} {u}"]
    phrase = g.ch(forms, "term_form")
    iso = "P%d%s" % (n, {"years": "Y", "months": "M", "days": "D"}[unit])
    return phrase, iso, n, unit


def make_contract(g: Gen) -> tuple[Doc, dict]:
    r = g.r
    ctype, alias_a, alias_b = g.o.get("ctype") or g.ch(CONTRACT_TYPES)
    cc_a = g.ch(["US", "US", "US", "GB", "DE", "CH", "SG", "IN", "MY", "CA", "IE", "NL", "AU"])
    cc_b = g.ch(["US", "US", "GB", "DE", "FR", "SG", "IN", "MY", "CA", "AU", "IE"])
    pa = g.o.get("party_a") or g.company(cc_a)
    pb_is_person = "party_b" not in g.o and r.random() < 0.12
    pb = g.o.get("party_b") or (g.person() if pb_is_person else g.company(cc_b))
    parties = [pa, pb]
    third = None
    if r.random() < 0.12 and "party_b" not in g.o:
        third = g.company(g.ch(["US", "GB", "DE"]))
        parties.append(third)
    agr = g.o.get("agreement_date") or g.date(1998, 2025)
    date_style = g.ch(["legal", "legal", "month_d_y", "month_d_y", "d_month_y", "legal_nocomma", "mdy_slash", "ord_month_y", "iso", "dmy_dot"], "date_style")
    if date_style == "legal" and r.random() < 0.3:
        date_style = "legal_nocomma"
    other_style = date_style if date_style not in ("legal", "legal_nocomma") else g.ch(["month_d_y", "d_month_y", "month_d_y"])

    def fd(x):
        return fmt_date(x, other_style)

    title = g.ch([ctype.upper(), ctype, ctype.upper(), f"{ctype.upper()}"], "title_case")
    juris_pre, juris = g.o.get("juris") or g.ch(JURIS)
    juris_span = juris[4:] if juris.startswith("the ") and juris != "the State of Israel" else juris
    juris_pre_full = ("the " if juris.startswith("the ") and juris != "the State of Israel" else "") + juris_pre
    W = g.o.get("width") or g.ch([78, 84, 90, 96])

    # effective date variants
    eff_mode = g.ch(["defined", "defined", "defined", "separate", "none", "effective_as_of"], "eff_mode")
    eff = None
    if eff_mode == "separate":
        eff = agr + _dt.timedelta(days=g.ch([0, 1, 14, 30, 31, 45, 60, 92], "eff_days"))
        if eff == agr:
            eff = agr + _dt.timedelta(days=1)
    start = eff if eff else agr

    term_mode = g.ch(["term", "term", "term_and_exp", "exp_only", "term"], "term_mode")
    tphr, tiso, tn, tunit = g.o["term"] if "term" in g.o else term_phrase(g)
    if tunit == "years":
        exp = add_months(start, 12 * tn)
    elif tunit == "months":
        exp = add_months(start, tn)
    else:
        exp = start + _dt.timedelta(days=tn)

    d = Doc()
    # --- title and preamble -------------------------------------------
    if r.random() < 0.2:
        d.line(g.ch(["EXHIBIT 10.1", "Exhibit 10.12", "CONFIDENTIAL", "EXECUTION VERSION", "Execution Copy"]))
        d.blank()
    d.line(*center([title], W)) if r.random() < 0.6 else d.line(title)
    d.blank()
    pre = Doc()
    ds = fmt_date(agr, date_style)
    the = "the " if date_style.startswith("legal") else ""
    descs = [g.ch(INCORP_BY_CC.get(c, INCORP)) for c in [cc_a, cc_b, "US"][: len(parties)]]
    addr = ["with its principal place of business at " + ", ".join(g.address(c)) if r.random() < 0.5 else "" for c in [cc_a, cc_b, "US"]]

    def party(i: int, alias: str) -> None:
        name = parties[i]
        pre.add(name, "PARTY")
        is_person = i == 1 and pb_is_person
        if r.random() < 0.85:
            desc = descs[i] if not (is_person and r.random() < 0.7) else "an individual"
            pre.add(f", {desc}")
            if addr[i]:
                pre.add(f", {addr[i]}")
        pre.add(g.ch([f' ("{alias}")', f' (the "{alias}")', f' (hereinafter "{alias}")', f" (“{alias}”)"]))

    pre_style = g.ch(["us", "us", "us", "uk", "dated", "header"], "pre_style")
    if pre_style != "us" and eff_mode == "effective_as_of":
        eff_mode = "defined"  # only the US preamble has the "effective as of" wording
    eff_def = eff_mode == "defined"
    if pre_style == "us":
        pre.add(g.ch([f'This {ctype} (the "Agreement") is ', f"THIS {ctype.upper()} (this \"Agreement\") is ", f'This {ctype} ("Agreement") is ']))
        if eff_mode == "effective_as_of":
            pre.add(g.ch(["made and entered into effective as of ", "entered into effective as of "]))
        else:
            pre.add(g.ch(["entered into as of ", "made and entered into as of ", "made and entered into on ", "dated as of ", "entered into on "]))
        pre.add(the)
        pre.add(ds, "AGREEMENT_DATE")
        if eff_def:
            pre.add(g.ch([' (the "Effective Date")', ' ("Effective Date")', " (the “Effective Date”)"]))
        pre.add(g.ch([" by and between ", " between ", ", by and among " if third else " by and between "]))
        party(0, alias_a)
        pre.add(", and " if not third else ", ")
        party(1, alias_b)
        if third:
            pre.add(", and ")
            party(2, "Guarantor")
        pre.add(". ")
        pre.add(g.ch([f"{alias_a} and {alias_b} are each referred to herein as a \"Party\" and collectively as the \"Parties\".", ""]))
    elif pre_style == "uk":
        pre.add(f"THIS AGREEMENT is {g.ch(['made', 'dated'])} {the}")
        pre.add(ds, "AGREEMENT_DATE")
        if eff_def:
            pre.add(' (the "Effective Date")')
        pre.add("\n\nBETWEEN:\n\n(1) ")
        party(0, alias_a)
        pre.add("; and\n\n(2) ")
        party(1, alias_b)
        if third:
            pre.add("; and\n\n(3) ")
            party(2, "Guarantor")
        pre.add(".")
    elif pre_style == "dated":
        pre.add(f"This {ctype} is dated {the}")
        pre.add(ds, "AGREEMENT_DATE")
        if eff_def:
            pre.add(' (the "Effective Date")')
        pre.add(" and is made between ")
        party(0, alias_a)
        pre.add(" and ")
        party(1, alias_b)
        if third:
            pre.add(" and ")
            party(2, "Guarantor")
        pre.add(".")
    else:  # header block
        pre.add(g.ch(["Date: ", "Agreement Date: ", "Dated: ", "Date of Agreement: "]))
        pre.add(fmt_date(agr, other_style), "AGREEMENT_DATE")
        if eff_def:
            pre.add(' (the "Effective Date")')
        pre.add("\n\nParties:\n\n1. ")
        party(0, alias_a)
        pre.add("\n\n2. ")
        party(1, alias_b)
        if third:
            pre.add("\n\n3. ")
            party(2, "Guarantor")
    d.extend(wrap_doc(pre, W))
    d.blank(2)

    # recitals
    if r.random() < 0.7:
        rec = Doc()
        rec.add(g.ch(["RECITALS", "WHEREAS:", "BACKGROUND"]) + "\n\n")
        rec.add(f"WHEREAS, {alias_a} {g.ch(['develops and markets', 'manufactures', 'owns certain rights in', 'provides'])} "
                f"{g.ch(['software products', 'consumer goods', 'medical devices', 'logistics services', 'digital content', 'industrial equipment'])}; and\n\n")
        rec.add(f"WHEREAS, {alias_b} wishes to {g.ch(['distribute', 'license', 'purchase', 'provide services in connection with', 'promote'])} such "
                f"{g.ch(['products', 'rights', 'services', 'content'])} on the terms and conditions set forth herein.\n\n")
        rec.add("NOW, THEREFORE, in consideration of the mutual covenants contained herein, the parties agree as follows:")
        d.extend(wrap_doc(rec, W))
        d.blank(2)

    # sections
    cur_sym = g.ch(["$", "US$", "EUR ", "£", "USD "])
    def money_s():
        return f"{cur_sym}{fmt_amount(g.ri(1, 500) * 1000000 // 100 * 100, 'en')[:-3]}"
    secs = r.sample(SECTION_TITLES, g.ri(4, 8))
    term_pos = g.ri(1, 2)
    numbering = g.ch(["num", "art", "sec"])
    sections: list[tuple[str, Doc]] = []
    for i, st in enumerate(secs):
        body = Doc()
        for _ in range(g.ri(1, 3)):
            body.add(g.ch(FILLER).format(A=alias_a, B=alias_b, money=money_s()) + " ")
        sections.append((st, body))
    # term section
    tb = Doc()
    if eff_mode == "separate":
        tb.add(g.ch(["This Agreement shall become effective on ", 'The "Effective Date" of this Agreement shall be ',
                     "This Agreement shall take effect on "]))
        tb.add(fd(eff), "EFFECTIVE_DATE")
        tb.add(". ")
    start_ref = "the Effective Date" if (eff_def or eff_mode in ("separate", "effective_as_of")) else g.ch(["the date first written above", "the date of this Agreement"])
    if term_mode in ("term", "term_and_exp"):
        tb.add(g.ch([f"The term of this Agreement shall commence on {start_ref} and shall continue for a period of ",
                     f"This Agreement shall commence on {start_ref} and remain in force for an initial term of ",
                     "The initial term of this Agreement shall be ",
                     "Unless terminated earlier, this Agreement shall remain in effect for "]))
        tb.add(tphr, "TERM")
        if term_mode == "term_and_exp":
            tb.add(g.ch([", expiring on ", " and shall expire on ", ", ending on "]))
            tb.add(fd(exp), "EXPIRATION_DATE")
        elif r.random() < 0.5:
            tb.add(g.ch([f" from {start_ref}", " thereafter", ""]))
        tb.add(g.ch([' (the "Initial Term")', "", ' (the "Term")']) + ". ")
    else:
        tb.add(g.ch([f"This Agreement shall commence on {start_ref} and shall remain in effect until ",
                     "Unless earlier terminated, this Agreement shall expire on ",
                     "The term of this Agreement shall end on "]))
        tb.add(fd(exp), "EXPIRATION_DATE")
        tb.add(". ")
    if r.random() < 0.6:
        rn, _, _, _ = term_phrase(g)
        tb.add(f"Thereafter, this Agreement shall automatically renew for successive renewal periods of {rn} each, unless either party gives the other at least "
               f"{g.ch(['thirty (30) days', 'sixty (60) days', 'ninety (90) days', '180 days', 'six (6) months'])}' prior written notice of non-renewal. ")
    sections.insert(term_pos, ("Term" if r.random() < 0.7 else "Term and Termination", tb))
    lb = Doc()
    lform = g.ch(["a", "b", "c", "d"])
    if lform == "a":
        lb.add(f"This Agreement shall be governed by and construed in accordance with the laws of {juris_pre_full}")
        lb.add(juris_span, "JURISDICTION")
        lb.add(", without regard to its conflict of laws principles. ")
    elif lform == "b":
        lb.add(f"This Agreement and any dispute arising out of it shall be governed by the laws of {juris_pre_full}")
        lb.add(juris_span, "JURISDICTION")
        lb.add(". ")
    elif lform == "c":
        lb.add(f"The validity, interpretation and performance of this Agreement shall be governed by the law of {juris_pre_full}")
        lb.add(juris_span, "JURISDICTION")
        lb.add(". ")
    else:
        lb.add(f"This Agreement is governed by {juris_pre_full}")
        lb.add(juris_span, "JURISDICTION")
        lb.add(" law. " if not juris_pre else " law. ")
    if r.random() < 0.6:
        lb.add(f"Each party irrevocably submits to the exclusive jurisdiction of the courts of {juris_pre_full}")
        lb.add(juris_span, "JURISDICTION")
        lb.add(" in respect of any dispute arising hereunder. ")
    elif r.random() < 0.5:
        lb.add(f"Any dispute shall be finally settled by arbitration in {g.ch(['London', 'New York', 'Singapore', 'Geneva', 'Paris', 'Hong Kong'])} under the rules of the {g.ch(['ICC', 'LCIA', 'SIAC', 'AAA'])}. ")
    sections.append(("Governing Law" if r.random() < 0.7 else "Governing Law and Jurisdiction", lb))
    # notices with addresses
    if r.random() < 0.5:
        nb = Doc()
        nb.add(f"Notices shall be sent to {alias_a} at {', '.join(g.address(cc_a))}, Attention: {g.person()}, and to {alias_b} at {', '.join(g.address(cc_b))}, Tel. {g.phone(cc_b)}. ")
        sections.insert(len(sections) - 1, ("Notices", nb))

    for i, (st, body) in enumerate(sections):
        num = i + 1
        h = {"num": f"{num}. {st.upper() if r.random() < 0.5 else st}", "art": f"ARTICLE {num}\n{st.upper()}",
             "sec": f"Section {num}. {st}"}[numbering]
        d.line(h)
        d.blank()
        sub = Doc()
        sub.add(f"{num}.1 " if r.random() < 0.5 else "")
        sub.extend(body)
        d.extend(wrap_doc(sub, W))
        d.blank(2)

    # signature block
    d.line("IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first written above.")
    d.blank()
    sig_cols = r.random() < 0.5 and len(parties) == 2
    blocks = []
    for i, pn in enumerate(parties):
        name_seg = (pn.upper() if r.random() < 0.4 else pn)
        blk = [[(name_seg, "PARTY")], [""], ["By: ______________________"],
               [f"Name: {g.person()}"], [f"Title: {g.ch(['Chief Executive Officer', 'President', 'Director', 'CFO', 'General Counsel', 'Managing Director', 'VP, Sales'])}"]]
        if r.random() < 0.4:
            blk.append([f"Date: {g.ch(['____________', fd(agr + _dt.timedelta(days=g.ri(0, 5)))])}"])
        blocks.append(blk)
    if sig_cols:
        d.lines(columns(blocks[0], blocks[1], W // 2, mode="side"))
    else:
        for b in blocks:
            d.lines(b)
            d.blank()

    lpp = g.o.get("lines_per_page") or g.ch([46, 50, 54, 58])
    foot = g.ch(["page", "pagenum", "dash", "none"], "page_footer")

    def footer(p, n):
        if foot == "none":
            return None
        f = Doc()
        f.blank()
        f.line(*center([{"page": f"Page {p} of {n}", "pagenum": f"{p}", "dash": f"- {p} -"}[foot]], W))
        return f
    d, n_pages = paginate(d, lpp, None, footer)

    exp_written = term_mode in ("term_and_exp", "exp_only")
    fields = {"doc_type": "contract", "parties": "; ".join(parties),
              "agreement_date": agr.isoformat(),
              "effective_date": (eff.isoformat() if eff else (agr.isoformat() if eff_mode in ("defined", "effective_as_of") else "")),
              "expiration_date": exp.isoformat(),
              "term": tiso if term_mode != "exp_only" else "",
              "jurisdiction": juris_span}
    _ = exp_written
    return d, fields


# --------------------------------------------------------------------------
# post-processing and API
# --------------------------------------------------------------------------

def _whitespace_style(d: Doc, style: str) -> Doc:
    """Optionally collapse runs of spaces (OCR-like text) while keeping spans."""
    if style == "layout":
        return d
    text = d.text
    keep = []
    new_index = [0] * (len(text) + 1)
    j = 0
    i = 0
    while i < len(text):
        new_index[i] = j
        c = text[i]
        if c == " " and (i > 0 and text[i - 1] == " "):
            i += 1
            continue
        if c == " " and (i + 1 < len(text) and text[i + 1] in "\n\f"):
            i += 1
            continue
        keep.append(c)
        j += 1
        i += 1
    new_index[len(text)] = j
    out = Doc()
    out.parts = ["".join(keep)]
    out.pos = j
    out.spans = [[new_index[s], new_index[e - 1] + 1, lab] for s, e, lab in d.spans]
    return out


def _clean(d: Doc) -> Doc:
    """Strip trailing spaces on lines (span-safe)."""
    return _whitespace_style_trailing(d)


def _whitespace_style_trailing(d: Doc) -> Doc:
    text = d.text
    keep = []
    new_index = [0] * (len(text) + 1)
    j = 0
    for i, c in enumerate(text):
        new_index[i] = j
        if c == " ":
            k = i
            while k < len(text) and text[k] == " ":
                k += 1
            if k == len(text) or text[k] in "\n\f":
                continue
        keep.append(c)
        j += 1
    new_index[len(text)] = j
    out = Doc()
    out.parts = ["".join(keep)]
    out.pos = j
    out.spans = [[new_index[s], new_index[e - 1] + 1, lab] for s, e, lab in d.spans]
    return out


def make_document(kind: str, rng: random.Random, opts: dict | None = None) -> dict:
    """One document of ``kind`` ("invoice", "receipt", "contract"); ``opts`` pins
    choices (used by samples.py): country, date_style, amt_style, sym, sym_pos,
    pages, has_due, has_tax, has_customer, simple, whitespace, ..."""
    g = Gen(rng, opts)
    if kind == "invoice":
        d, fields = make_invoice(g)
    elif kind == "receipt":
        d, fields = make_receipt(g)
    elif kind == "contract":
        d, fields = make_contract(g)
    else:
        raise ValueError(kind)
    ws = g.ch(["layout", "layout", "layout", "single"], "whitespace")
    d = _whitespace_style(d, ws) if ws == "single" else _clean(d)
    text = d.text.strip("\n") + "\n"
    lead = len(d.text) - len(d.text.lstrip("\n"))
    spans = sorted([[s - lead, e - lead, lab] for s, e, lab in d.spans if e > s], key=lambda x: (x[0], x[1]))
    return {"doc_type": kind, "text": text, "spans": spans, "fields": fields}


def generate(n: int, seed: int) -> list[dict]:
    """``n`` synthetic documents (invoices ~55 %, receipts ~20 %, contracts ~25 %)."""
    out = []
    for i in range(n):
        rng = random.Random(f"docex-synth-{seed}-{i}")
        x = rng.random()
        kind = "invoice" if x < 0.55 else ("receipt" if x < 0.75 else "contract")
        doc = make_document(kind, rng)
        out.append({"id": f"synth/{seed}-{i}", "source": "synth", **doc})
    return out


def validate(doc: dict) -> list[str]:
    """Consistency problems of a generated document (empty list = fine)."""
    errs = []
    t = doc["text"]
    for s, e, lab in doc["spans"]:
        if not (0 <= s < e <= len(t)):
            errs.append(f"span out of range {s},{e},{lab}")
        elif t[s:e].strip() != t[s:e] or not t[s:e]:
            errs.append(f"span has edge whitespace {t[s:e]!r} {lab}")
        if lab not in LABELS:
            errs.append(f"bad label {lab}")
    sp = sorted(doc["spans"])
    for a, b in zip(sp, sp[1:]):
        if b[0] < a[1]:
            errs.append(f"overlapping spans {a} {b}")
    f = doc["fields"]
    if doc["doc_type"] == "invoice" and f["net_amount"] and f["tax_amount"]:
        if round(float(f["net_amount"]) + float(f["tax_amount"]), 2) != round(float(f["total_amount"]), 2):
            errs.append("net + tax != total")
    if doc["doc_type"] == "invoice" and f["due_date"] and f["due_date"] < f["invoice_date"]:
        errs.append("due before invoice date")
    return errs


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    sd = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    for doc in generate(k, sd):
        print(json.dumps(doc, ensure_ascii=False))
