"""The demo's markets and its three brands with their channels, pillars, campaigns, objectives and
competitors. Static data only; builders read it."""

from __future__ import annotations

from dataclasses import dataclass

from app.models.enums import ObjectiveKind, Platform


@dataclass(frozen=True)
class MarketSpec:
    code: str
    name: str
    country_code: str
    languages: tuple[str, ...]
    timezone: str
    currency: str
    date_format: str = "%d/%m/%Y"


SG = MarketSpec("sg", "Singapore", "SG", ("en", "zh"), "Asia/Singapore", "SGD")
MY = MarketSpec("my", "Malaysia", "MY", ("ms", "en"), "Asia/Kuala_Lumpur", "MYR")
ID = MarketSpec("id", "Indonesia", "ID", ("id",), "Asia/Jakarta", "IDR")
CN = MarketSpec("cn", "China", "CN", ("zh",), "Asia/Shanghai", "CNY", "%Y-%m-%d")

DEMO_MARKETS: tuple[MarketSpec, ...] = (SG, MY, ID)
AGENCY_MARKETS: tuple[MarketSpec, ...] = (SG, MY, ID, CN)


@dataclass(frozen=True)
class ChannelSpec:
    platform: Platform
    handle: str
    followers: int  # at the start of the 180 days
    trend: float = 0.12  # change of reach over the period, in log terms (-0.3 is a slow decline)


@dataclass(frozen=True)
class PillarSpec:
    name: str
    description: str
    share: int
    color: str


@dataclass(frozen=True)
class CampaignSpec:
    slug: str
    name: str
    description: str
    start: int  # days relative to today
    end: int
    budget: int
    objective: ObjectiveKind
    pillar: int  # index into the brand's pillars


@dataclass(frozen=True)
class CompetitorSpec:
    name: str
    website: str
    handles: dict[str, str]
    notes: str
    scale: float  # their audience relative to the brand's


@dataclass(frozen=True)
class BrandSpec:
    slug: str
    name: str
    market: MarketSpec
    industry: str
    regulated: bool
    color: str
    website: str
    hashtags: str
    channels: tuple[ChannelSpec, ...]
    pillars: tuple[PillarSpec, ...]
    campaigns: tuple[CampaignSpec, ...]
    objectives: tuple[tuple[str, ObjectiveKind, str], ...]
    competitors: tuple[CompetitorSpec, ...]


LUMI = BrandSpec(
    slug="lumi",
    name="Lumi Skin Lab",
    market=SG,
    industry="Skincare (HSA-notified cosmetics)",
    regulated=True,
    color="#D6608C",
    website="https://lumiskinlab.example.sg",
    hashtags="#LumiSkinLab #SkincareSG #SensitiveSkin",
    channels=(
        ChannelSpec(Platform.INSTAGRAM, "@lumiskinlab", 48_000, 0.18),
        ChannelSpec(Platform.FACEBOOK, "LumiSkinLabSG", 22_000, 0.02),
        ChannelSpec(Platform.TIKTOK, "@lumiskinlab", 31_000, 0.35),
        ChannelSpec(Platform.THREADS, "@lumiskinlab", 6_500, 0.25),
        ChannelSpec(Platform.YOUTUBE, "@LumiSkinLab", 8_500, 0.10),
        ChannelSpec(Platform.BLUESKY, "lumiskinlab.bsky.social", 900, 0.30),
    ),
    pillars=(
        PillarSpec(
            "Skin science", "Why skin behaves the way it does, explained by our formulators.", 30, "#4C78A8"
        ),
        PillarSpec("Routines & how-tos", "Step-by-step routines for humid Singapore days.", 25, "#72B7B2"),
        PillarSpec(
            "Ingredient spotlights", "One ingredient at a time: what it does, what it doesn't.", 20, "#EECA3B"
        ),
        PillarSpec("Community & UGC", "Real customers, reposted with permission.", 15, "#B279A2"),
        PillarSpec("Offers", "Launches, bundles and Glow Club perks.", 10, "#E45756"),
    ),
    campaigns=(
        CampaignSpec(
            "barrier-repair-launch",
            "Barrier Repair Cream launch",
            "Launch of the ceramide Barrier Repair Cream for sensitive skin.",
            -170,
            -120,
            18_000,
            ObjectiveKind.AWARENESS,
            2,
        ),
        CampaignSpec(
            "sunscreen-myths",
            "Sunscreen myths",
            "Education series busting sunscreen myths, with the SPF50 Daily Fluid.",
            -95,
            -60,
            9_000,
            ObjectiveKind.ENGAGEMENT,
            0,
        ),
        CampaignSpec(
            "glow-club",
            "Glow Club loyalty drive",
            "Sign-ups to the Glow Club loyalty programme (double points month).",
            -25,
            35,
            12_000,
            ObjectiveKind.CONVERSION,
            4,
        ),
        CampaignSpec(
            "ceramide-serum-launch",
            "Ceramide Serum launch",
            "Pre-launch and launch of the Ceramide Serum.",
            20,
            75,
            25_000,
            ObjectiveKind.AWARENESS,
            2,
        ),
    ),
    objectives=(
        (
            "Grow awareness among sensitive-skin shoppers",
            ObjectiveKind.AWARENESS,
            "Reach 25-40 year-olds in Singapore who describe their skin as sensitive.",
        ),
        (
            "Build a trusted skin-science voice",
            ObjectiveKind.ENGAGEMENT,
            "Saves and shares on education content; comments asking routine questions.",
        ),
        ("Grow Glow Club sign-ups", ObjectiveKind.CONVERSION, "Sign-ups from social via tracked links."),
    ),
    competitors=(
        CompetitorSpec(
            "Glow Theory SG",
            "https://glowtheory.example.sg",
            {"instagram": "@glowtheorysg", "tiktok": "@glowtheory", "facebook": "GlowTheorySG"},
            "K-beauty-style clinic brand; heavy on influencer content.",
            1.4,
        ),
        CompetitorSpec(
            "Dermaleaf",
            "https://dermaleaf.example.com",
            {"instagram": "@dermaleaf.sg", "facebook": "DermaleafAsia"},
            "Pharmacy-channel botanical range; strong on Facebook.",
            0.8,
        ),
    ),
)

WARISAN = BrandSpec(
    slug="warisan",
    name="Warisan Kopitiam",
    market=MY,
    industry="Food & beverage (kopitiam chain, 38 outlets)",
    regulated=False,
    color="#9C6B30",
    website="https://warisankopitiam.example.my",
    hashtags="#WarisanKopitiam #KopiO #MakanMalaysia",
    channels=(
        ChannelSpec(Platform.FACEBOOK, "WarisanKopitiamMY", 120_000, -0.30),
        ChannelSpec(Platform.INSTAGRAM, "@warisankopitiam", 35_000, 0.15),
        ChannelSpec(Platform.TIKTOK, "@warisankopitiam", 60_000, 0.30),
        ChannelSpec(Platform.X, "@WarisanKopitiam", 4_200, -0.05),
        ChannelSpec(Platform.YOUTUBE, "@WarisanKopitiam", 12_000, 0.08),
        ChannelSpec(Platform.LINKEDIN, "warisan-kopitiam", 3_100, 0.10),
    ),
    pillars=(
        PillarSpec("Menu & makan", "What's on the table today, shot in our outlets.", 30, "#F58518"),
        PillarSpec("Heritage stories", "Since 1968: our founders, recipes and old photos.", 20, "#9D755D"),
        PillarSpec("Promos & deals", "Breakfast sets, app deals and festive bundles.", 25, "#E45756"),
        PillarSpec("Behind the counter", "Our baristas and cooks, and the craft of kopi.", 15, "#54A24B"),
        PillarSpec("Festive moments", "Raya, CNY, Deepavali and Merdeka greetings.", 10, "#EECA3B"),
    ),
    campaigns=(
        CampaignSpec(
            "kopi-o-classics",
            "Kopi O Classics",
            "Brand campaign on the traditional kopi O recipe.",
            -175,
            -140,
            15_000,
            ObjectiveKind.AWARENESS,
            1,
        ),
        CampaignSpec(
            "nasi-lemak-week",
            "Minggu Nasi Lemak",
            "A week of nasi lemak specials in every outlet.",
            -80,
            -73,
            8_000,
            ObjectiveKind.CONVERSION,
            2,
        ),
        CampaignSpec(
            "breakfast-set-rm990",
            "Set Sarapan RM9.90",
            "Breakfast set promotion, weekdays 7-11 am.",
            -20,
            25,
            20_000,
            ObjectiveKind.CONVERSION,
            2,
        ),
        CampaignSpec(
            "penang-outlet-opening",
            "Penang outlet opening",
            "Opening of the Gurney Drive outlet.",
            15,
            45,
            12_000,
            ObjectiveKind.AWARENESS,
            0,
        ),
    ),
    objectives=(
        (
            "Bring breakfast traffic back to outlets",
            ObjectiveKind.CONVERSION,
            "Voucher redemptions from social in weekday breakfast hours.",
        ),
        (
            "Stay top of mind for kopi lovers",
            ObjectiveKind.AWARENESS,
            "Reach in Klang Valley, Penang and Johor.",
        ),
        ("Keep the community warm", ObjectiveKind.RETENTION, "Replies within an hour; repeat commenters."),
    ),
    competitors=(
        CompetitorSpec(
            "Kopi Kaw Corner",
            "https://kopikaw.example.my",
            {"facebook": "KopiKawCorner", "tiktok": "@kopikawcorner", "instagram": "@kopikaw"},
            "Fast-growing chain, aggressive TikTok promos.",
            1.2,
        ),
        CompetitorSpec(
            "Mamak Mania",
            "https://mamakmania.example.my",
            {"facebook": "MamakManiaMY", "instagram": "@mamakmania"},
            "24-hour mamak chain; big Facebook community.",
            1.6,
        ),
    ),
)

SENJA = BrandSpec(
    slug="senja",
    name="Kopi Senja",
    market=ID,
    industry="Coffee chain (grab-and-go, 120 stores)",
    regulated=False,
    color="#E07B39",
    website="https://kopisenja.example.id",
    hashtags="#KopiSenja #NgopiDulu #KopiSusu",
    channels=(
        ChannelSpec(Platform.INSTAGRAM, "@kopisenja", 210_000, 0.12),
        ChannelSpec(Platform.TIKTOK, "@kopisenja.id", 150_000, 0.40),
        ChannelSpec(Platform.FACEBOOK, "KopiSenjaID", 80_000, -0.02),
        ChannelSpec(Platform.X, "@kopisenja", 18_000, 0.05),
        ChannelSpec(Platform.THREADS, "@kopisenja", 25_000, 0.30),
        ChannelSpec(Platform.MASTODON, "@kopisenja@mastodon.social", 700, 0.20),
    ),
    pillars=(
        PillarSpec("Ritual ngopi", "Kopi moments: pagi, kerja, senja.", 30, "#F58518"),
        PillarSpec("Biji & petani", "Our beans and the farmers of Flores, Toraja and Gayo.", 20, "#54A24B"),
        PillarSpec("Promo", "App deals, payday promos and new menu.", 20, "#E45756"),
        PillarSpec("Komunitas", "Store events, barista stories and customer reposts.", 20, "#B279A2"),
        PillarSpec("Karier", "Join the team: baristas and store leaders.", 10, "#4C78A8"),
    ),
    campaigns=(
        CampaignSpec(
            "es-kopi-susu-series",
            "Seri Es Kopi Susu",
            "Three new es kopi susu flavours.",
            -160,
            -110,
            120_000_000,
            ObjectiveKind.AWARENESS,
            0,
        ),
        CampaignSpec(
            "petani-flores",
            "Cerita Petani Flores",
            "Documentary series on our Flores farmers.",
            -70,
            -40,
            80_000_000,
            ObjectiveKind.ENGAGEMENT,
            1,
        ),
        CampaignSpec(
            "senja-rewards",
            "Senja Rewards",
            "App loyalty programme: double points on weekdays.",
            -15,
            40,
            150_000_000,
            ObjectiveKind.CONVERSION,
            2,
        ),
        CampaignSpec(
            "langganan-kopi-pagi",
            "Langganan Kopi Pagi",
            "Morning coffee subscription in the app.",
            25,
            70,
            200_000_000,
            ObjectiveKind.CONVERSION,
            2,
        ),
    ),
    objectives=(
        (
            "Grow app orders from social",
            ObjectiveKind.CONVERSION,
            "Orders in the app from tracked social links.",
        ),
        (
            "Be the coffee brand young Jakartans talk about",
            ObjectiveKind.ENGAGEMENT,
            "Comments, shares and UGC on TikTok and Instagram.",
        ),
        (
            "Reach second-tier cities",
            ObjectiveKind.AWARENESS,
            "Reach in Bandung, Surabaya, Medan and Makassar.",
        ),
    ),
    competitors=(
        CompetitorSpec(
            "Kopi Lembayung",
            "https://kopilembayung.example.id",
            {"instagram": "@kopilembayung", "tiktok": "@kopilembayung", "x": "@kopilembayung"},
            "Closest rival: same price point, more stores in Surabaya.",
            1.3,
        ),
        CompetitorSpec(
            "Janji Temu Coffee",
            "https://janjitemu.example.id",
            {"instagram": "@janjitemu.coffee", "tiktok": "@janjitemucoffee"},
            "Premium positioning, strong on Instagram aesthetics.",
            0.6,
        ),
    ),
)

DEMO_BRANDS: tuple[BrandSpec, ...] = (LUMI, WARISAN, SENJA)

# The brand whose TikTok had a viral post about 40 days ago (the visible anomaly in the metrics).
VIRAL_BRAND = "warisan"
VIRAL_DAYS_AGO = 41
