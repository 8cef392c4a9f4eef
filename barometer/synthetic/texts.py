"""Invented template sentences for the simulated posts, per language and sentiment class.

Every sentence was written for this project (none is taken from a corpus). Positive and negative
sentences carry at least one word of the matching polarity in the AFINN (sv, en, tr) or
Chen-Skiena (ar) lexicons; Somali has no lexicon. ``{place}`` is filled with a district alias
(geo channel ``place``) or with a generic, non-geographic filler (channels ``coords``/``none``).
"""

from __future__ import annotations

LANGS: tuple[str, ...] = ("sv", "en", "ar", "tr", "so")
CLASSES: tuple[str, ...] = ("negative", "neutral", "positive")

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "sv": {
        "positive": (
            "Så fin stämning i {place} idag, grannarna hjälper varandra",
            "Jag litar på mina grannar i {place}, det känns tryggt",
            "Härligt väder och glada barn på lekplatsen i {place}",
            "Tack till alla som städade parken i {place} i helgen, underbar gemenskap",
            "Mysigt kafé i {place}, trevlig personal och bra kaffe",
            "Fantastisk konsert på torget i {place} ikväll",
            "Man kan lita på folk här i {place}, alla är så glada",
            "Vackert i {place} nu på kvällen, lugnt och fint",
            "Älskar biblioteket i {place}, roligt för barnen",
        ),
        "negative": (
            "Otryggt och stökigt vid {place} igen, folk bråkar, känns farligt",
            "Man kan inte lita på någon här i {place}, tyvärr",
            "Hemskt med allt våld i {place}, jag är rädd att gå ut på kvällen",
            "Dålig belysning i {place}, folk är oroliga och arga",
            "Tråkigt att se all skit och nedskräpning i {place}",
            "Problem med hot och stölder i {place} igen",
            "Jag är så ledsen över hur det har blivit i {place}",
            "Orolig för ungdomarna i {place}, det är dåligt på alla sätt",
            "Hatar att det alltid är problem på bussen från {place}",
        ),
        "neutral": (
            "Buss 172 går från {place} var tionde minut i dag",
            "Möte om detaljplanen i {place} på torsdag kl 18",
            "Vet ni när vårdcentralen i {place} öppnar?",
            "Ny pizzeria har öppnat i {place}",
            "Vägarbete vid {place} hela veckan",
            "Loppis i {place} på lördag, kom förbi",
            "Var köper man begagnade cyklar nära {place}?",
        ),
    },
    "en": {
        "positive": (
            "Such a lovely afternoon in {place}, neighbours helping each other",
            "I trust my neighbours in {place}, feels safe here",
            "Great community event in {place} today, so many happy faces",
            "Thanks to the volunteers in {place}, awesome work",
            "Beautiful evening walk around {place}, friendly people everywhere",
        ),
        "negative": (
            "Another fight near {place} tonight, feels unsafe",
            "You can't trust anyone around {place} anymore, sad",
            "Worried about the violence in {place}, terrible situation",
            "Bad lighting and angry people at {place} again",
            "Scared to walk home through {place}, dangerous after dark",
        ),
        "neutral": (
            "Bus replacement service from {place} this weekend",
            "Anyone know when the library in {place} opens on Sundays?",
            "Moving to {place} next month, any tips on parking?",
            "Roadworks near {place} until Friday",
            "Flea market in {place} on Saturday",
        ),
    },
    "ar": {
        "positive": (
            "الجو جميل اليوم في {place} والجيران يقدمون مساعدة لبعضهم",
            "عندي ثقة في جيراني في {place} والحي آمن",
            "حفل رائع في {place} والناس سعيد جدا",
            "مكان جميل في {place} وفيه محبة وتعاون",
            "المدرسة في {place} ممتاز والمعلمون جيد",
        ),
        "negative": (
            "شجار جديد في {place} الليلة وفيه خطر على الاطفال",
            "مشاكل كثيرة في {place} وانا حزين",
            "خوف في {place} بعد سرقة امس",
            "مشكلة الامن في {place} تتكرر كل اسبوع",
        ),
        "neutral": (
            "متى يفتح المكتب في {place} يوم الاثنين",
            "الباص من {place} يتاخر اليوم",
            "اجتماع للسكان في {place} يوم الخميس الساعة السادسة",
            "محل في {place} قرب المحطة",
        ),
    },
    "tr": {
        "positive": (
            "{place} bugün çok güzel, komşular birbirine yardım ediyor",
            "{place} mahallesinde kendimi güvenli hissediyorum, harika insanlar",
            "{place} kütüphanesinde mükemmel bir gün, çocuklar çok mutlu",
            "Teşekkür ederiz {place} gönüllüleri, iyi iş çıkardınız",
        ),
        "negative": (
            "{place} yine kavga var, çok kötü",
            "{place} akşamları güvensiz ve tehlikeli",
            "{place} için üzgün ve kızgın hissediyorum, berbat durum",
            "{place} korku içinde yaşıyoruz, rezil",
        ),
        "neutral": (
            "{place} otobüsü bugün saat beşte kalkıyor",
            "{place} pazarı cumartesi günü kuruluyor mu?",
            "{place} yakınında yol çalışması var",
            "{place} toplantı perşembe saat altıda",
        ),
    },
    "so": {
        "positive": (
            "Maanta {place} aad bay u fiican tahay, deriskuna way is caawinayaan",
            "Waxaan ku kalsoonahay deriskayga {place}, waa nabad",
            "Farxad badan ayaa ka jirta {place} maanta",
            "Dugsiga {place} waa mid wanaagsan, mahadsanid macallimiinta",
        ),
        "negative": (
            "Dagaal kale ayaa ka dhacay {place} caawa, waa khatar",
            "Cidna laguma kalsoonaan karo {place} hadda",
            "Xaaladda {place} waa xun, dadku way cabsi qabaan",
            "Dhibaato badan ayaa ka jirta {place} habeenkii",
        ),
        "neutral": (
            "Baska {place} maanta wuu soo daahay",
            "Kulanka bulshada {place} waa khamiista",
            "Dukaan cusub ayaa laga furay {place}",
            "Goorma ayuu furmayaa maktabadda {place}?",
        ),
    },
}

#: Very short posts tagged ``und`` by the platform, per sentiment class.
SHORT: dict[str, tuple[str, ...]] = {
    "positive": ("😍😍", "❤️❤️❤️", "👏👏", "🥰"),
    "negative": ("😡", "🤬🤬", "😢😢", "👎"),
    "neutral": ("🤔", "👀", "...", "😐"),
}

#: Generic place fillers that name no district (channels ``coords`` and ``none``).
FILLERS: dict[str, tuple[str, ...]] = {
    "sv": ("området", "stan", "torget", "centrum", "vårt kvarter", "hemma"),
    "en": ("the area", "town", "the square", "our street", "the centre"),
    "ar": ("الحي", "المنطقة", "المركز", "الساحة"),
    "tr": ("Mahalle", "Şehir merkezi", "Meydan", "Semt"),
    "so": ("xaafadda", "magaalada", "suuqa", "fagaaraha"),
}

EMOJIS: dict[str, tuple[str, ...]] = {
    "positive": ("😊", "❤️", "🙌", "☀️", "👍"),
    "negative": ("😠", "😞", "🚨", "😤"),
    "neutral": ("🚌", "📅", "ℹ️", "🏗️"),
}
HASHTAGS: tuple[str, ...] = ("#botkyrka", "#söderort", "#grannar", "#sthlm", "#lokalt")

#: Promotional posts of the automated accounts (neutral, no lexicon words intended).
PROMO: tuple[str, ...] = (
    "Veckans erbjudande i Botkyrka: 20% på alla däck hos oss. Boka tid på https://example.org/dack",
    "Nya lägenheter till uthyrning i Botkyrka, se https://example.org/bostad",
    "Öppet hus på lördag kl 11-15 hos Botkyrka Bilservice https://example.org/bil",
    "Weekly deal: 2 pizzas for 149 kr, order at https://example.org/pizza #botkyrka",
    "Flyttstädning i Botkyrka från 1990 kr efter RUT https://example.org/stad",
)
