"""The demo boards' content: boards, and threads with their replies, solutions and reactions."""

from __future__ import annotations

from dataclasses import dataclass, field

# (slug, name, description, department slug or None, position, moderator locals)
BOARDS = [
    ("start-here", "Start here", "How these boards work, and who to ask.", None, 0, []),
    (
        "social-media",
        "Social media",
        "Running the council's pages and accounts: replies, scheduling, security, tone of voice.",
        None,
        10,
        ["priya.shah"],
    ),
    (
        "campaigns",
        "Campaigns and launches",
        "Planning, launching and measuring campaigns.",
        None,
        20,
        ["priya.shah", "grace.lee"],
    ),
    (
        "accessibility",
        "Accessibility",
        "Alt text, captions, plain English, colour contrast.",
        None,
        30,
        ["lena.fischer"],
    ),
    (
        "tools-and-tips",
        "Tools and tips",
        "Schedulers, design tools, analytics, shortcuts.",
        None,
        40,
        [],
    ),
    (
        "comms-team",
        "Communications team",
        "Rotas, crisis comms and work in progress for the communications team.",
        "communications",
        50,
        ["priya.shah"],
    ),
    (
        "housing-digital",
        "Housing digital",
        "Tenant newsletters, repairs comms, the portal.",
        "housing",
        60,
        ["tom.hughes"],
    ),
    (
        "parks-digital",
        "Parks and leisure digital",
        "Events, bookings and photography.",
        "parks",
        70,
        ["grace.lee"],
    ),
]


@dataclass
class DemoThread:
    board: str
    author: str
    kind: str
    title: str
    body: str
    days_ago: float
    tags: list[str] = field(default_factory=list)
    # (author, body, hours after the previous post)
    replies: list[tuple[str, str, float]] = field(default_factory=list)
    # Index in `replies` of the solving reply, and who marked it.
    solution: tuple[int, str] | None = None
    pinned: bool = False
    # reply index -> people who reacted "helpful"
    helpful: dict[int, list[str]] = field(default_factory=dict)


THREADS = [
    DemoThread(
        "start-here",
        "admin",
        "story",
        "How to use these boards (read me first)",
        "Welcome! Every thread is one of five kinds:\n\n"
        "| Kind | Use it for |\n|:--|:--|\n| **Win** | something that worked |\n"
        "| **Failure** | something that went wrong (no blame, please) |\n"
        "| **Fix** | how you fixed or prevented something |\n"
        "| **Question** | when you need help; mark the answer as the solution |\n"
        "| **Story** | anything worth telling |\n\n"
        "Mention a colleague with @ and their email name, e.g. @priya.shah. "
        "Watch a board to hear about new threads.",
        40,
        ["how-to"],
        pinned=True,
    ),
    DemoThread(
        "social-media",
        "sam.riley",
        "failure",
        "Facebook page hijack scare: 'Meta Support' asked us to verify the page",
        'At 7pm on Friday the main council page got a message from **"Meta Business Support"** '
        'saying the page would be unpublished for copyright violations unless we "verified" '
        "within 24 hours. The link went to a convincing login page on a look-alike domain.\n\n"
        "I didn't enter anything, but a colleague on the out-of-hours rota had already clicked "
        "it on their phone and *started* typing their password before stopping.\n\n"
        "What we did that night:\n\n1. Changed that person's Facebook password and turned on "
        "two-factor.\n2. Checked Business Settings → People: no new admins.\n3. Checked the "
        "page's linked Instagram account too.\n\nStill shaken. What else should we have done?",
        21,
        ["facebook", "security", "phishing"],
        replies=[
            (
                "priya.shah",
                "Good call checking the admins first. Two more things worth doing "
                "straight away:\n\n- **Business Settings → Security Center**: require two-factor "
                "for *everyone* with access, not just admins.\n- Remove anyone who no longer needs "
                "access. We found two people who left last year still listed as editors.\n\n"
                "Meta never asks you to verify a page through a message link. Report the message "
                "and delete it.",
                1.5,
            ),
            (
                "omar.haddad",
                "Same here last month on the housing page. Ours came as a "
                "notification that looked like it was from Meta, with the council logo copied in.",
                3,
            ),
            (
                "tom.hughes",
                "Worth adding to the out-of-hours rota notes: if in doubt, don't "
                "touch it, phone the on-call comms lead. @sam.riley can you write up the steps as "
                "a fix thread so we can link it?",
                5,
            ),
            (
                "sam.riley",
                "Will do. Also enabled login alerts so we get an email for every new device.",
                20,
            ),
        ],
        solution=(0, "sam.riley"),
        helpful={0: ["sam.riley", "omar.haddad", "mia.evans"]},
    ),
    DemoThread(
        "social-media",
        "sam.riley",
        "fix",
        "Fix: quarterly page access audit (checklist)",
        "After the hijack scare we now audit every page and account each quarter. "
        "Takes about 40 minutes for our 14 accounts.\n\n"
        "**Checklist**\n\n- [ ] Export the list of people and partners with access\n"
        "- [ ] Remove leavers and anyone who hasn't posted in 6 months\n"
        "- [ ] Two-factor required for everyone (Security Center)\n"
        "- [ ] Recovery email is the shared team mailbox, not a person\n"
        "- [ ] Login alerts on\n- [ ] Record the date in the registry\n\n"
        "```text\nSubject: Quarterly social access audit done\nAccounts checked: 14\n"
        "Access removed: 3 people\n```",
        18,
        ["facebook", "security", "checklist"],
        replies=[("priya.shah", "Adding this to the comms team calendar. Thanks Sam.", 2)],
        helpful={0: ["tom.hughes"]},
    ),
    DemoThread(
        "accessibility",
        "lena.fischer",
        "question",
        "How much detail should alt text have for event posters?",
        "Libraries post a poster image for every event. At the moment our alt text is just "
        '"Event poster". That can\'t be right, but copying *all* the text from the poster '
        "feels long for a screen reader.\n\nWhat do others do?",
        16,
        ["alt-text", "images", "events"],
        replies=[
            (
                "zoe.martin",
                "We put the event name and date in the alt text and the rest in the post itself.",
                3,
            ),
            (
                "hana.suzuki",
                "The rule we follow: **the alt text should carry what the image "
                "is there to say**. For a poster that's the essentials (what, when, where) and "
                "everything else goes in the post text, which everyone can read.\n\nExample:\n\n"
                "> Poster: Family Lego Club, Saturdays 10am to 12pm, Central Library. Free, "
                "no booking.\n\nAnd never put text *only* in an image.",
                6,
            ),
            ("lena.fischer", "That's really clear, thank you. Updating our template.", 10),
        ],
        solution=(1, "lena.fischer"),
        helpful={1: ["lena.fischer", "zoe.martin", "mia.evans"]},
    ),
    DemoThread(
        "campaigns",
        "mia.evans",
        "win",
        "Summer in the Parks launch: bookings tripled with 15-second videos",
        "We swapped our usual static graphics for three 15-second vertical videos filmed on a "
        "phone by the rangers themselves.\n\n| Week | Bookings |\n|:--|--:|\n"
        "| Last year, launch week | 212 |\n| This year, launch week | 671 |\n\n"
        "Captions burned in *and* uploaded as a caption file. Rangers loved being asked.",
        12,
        ["video", "campaign-launch", "events"],
        replies=[
            (
                "grace.lee",
                "Brilliant result. Can we share the videos with the other "
                "departments as an example?",
                2,
            ),
            ("jack.turner", "Stealing this for the garden waste renewal campaign!", 6),
            ("priya.shah", "Lovely work @mia.evans. Worth a short write-up for the newsletter.", 8),
        ],
        helpful={0: ["mia.evans"], 2: ["mia.evans"]},
    ),
    DemoThread(
        "campaigns",
        "jack.turner",
        "failure",
        "Bank holiday bin collection post went out with last year's dates",
        "We reused last year's scheduled post for the bank holiday collection changes and "
        "didn't update the dates. It was live for 2 hours and got 40 comments before a "
        "resident pointed it out.\n\nWe deleted it, posted a correction and pinned it, and "
        "replied to everyone who commented. Contact centre had about 30 extra calls.",
        9,
        ["waste", "scheduling", "corrections"],
        replies=[
            (
                "ben.carter",
                "My fault as much as Jack's: I approved it without checking the calendar.",
                1,
            ),
            (
                "priya.shah",
                "Thanks for writing this up so openly. Editing beats deleting where "
                "the platform lets you (Facebook does; X doesn't), so the comments stay in "
                "context.",
                3,
            ),
        ],
    ),
    DemoThread(
        "campaigns",
        "jack.turner",
        "fix",
        "Fix: two-person check for any post with a date in it",
        "Since the bin dates mix-up: any post that mentions a date, a deadline or a price needs "
        "a second person to check it against the source before it is scheduled. We add a "
        "\u2705 reaction in the team chat when checked.\n\nIn the scheduler we also stopped "
        "re-using last year's posts: we copy the text into a new post instead.",
        8,
        ["scheduling", "corrections", "checklist"],
    ),
    DemoThread(
        "social-media",
        "nia.roberts",
        "question",
        "Replying to council tax complaints on X without sharing personal data",
        'We get a lot of public replies like "I\'ve been charged twice, sort it out". '
        "How do you reply helpfully without discussing someone's account in public?",
        7,
        ["x-twitter", "replies", "personal-data"],
        replies=[
            ("david.kim", "We reply publicly once with empathy and a route, then move to DMs.", 2),
            (
                "priya.shah",
                "Our template:\n\n> Sorry to hear that, we'd like to help. Please "
                "send us a direct message with your council tax reference (not here) and we'll "
                "look into it today.\n\nThen **never** confirm any account detail publicly, even "
                "if they post it themselves. If they posted their reference number, ask them to "
                "delete it, and hide the reply if the platform allows.",
                3,
            ),
            ("nia.roberts", "Perfect, that's what I needed.", 5),
        ],
        solution=(1, "nia.roberts"),
        helpful={1: ["nia.roberts", "david.kim", "felix.brown"]},
    ),
    DemoThread(
        "tools-and-tips",
        "omar.haddad",
        "story",
        "What I learned running our first live Q&A on housing repairs",
        "Last Thursday we ran a 45-minute live Q&A with the repairs manager. Things I'd do "
        "again and things I wouldn't:\n\n**Again**\n- Collected questions a week before\n"
        "- A second person moderating comments\n- A pinned comment with the repairs "
        "reporting link\n\n**Not again**\n- Starting on the hour (everyone joins 5 minutes "
        "late)\n- Answering individual cases live",
        5,
        ["live-video", "housing", "engagement"],
        replies=[
            (
                "tom.hughes",
                "The second moderator made all the difference. Let's do one on "
                "damp and mould next.",
                4,
            ),
            ("arjun.patel", "Happy to be the second moderator next time.", 7),
        ],
    ),
    DemoThread(
        "accessibility",
        "chloe.wright",
        "win",
        "A month of captioning every video",
        "Parks captioned every single video in March, including stories. Average watch time "
        "went *up* 18%, and we had two thank-you messages from deaf residents.",
        4,
        ["captions", "video"],
        replies=[
            ("lena.fischer", "Love this. What tool did you use for stories?", 3),
            ("chloe.wright", "The built-in caption sticker, then corrected by hand.", 5),
        ],
    ),
    DemoThread(
        "tools-and-tips",
        "felix.brown",
        "question",
        "Has anyone moved off the free tier of their scheduling tool?",
        "We are hitting the limit of 3 accounts on the free plan. Before I ask for budget: "
        "which paid tools are people using, and do they handle Instagram first comments?",
        2,
        ["scheduling", "tools"],
        replies=[
            ("sam.riley", "We pay for the team plan of ours. Happy to show you on a call.", 4)
        ],
    ),
    DemoThread(
        "comms-team",
        "priya.shah",
        "story",
        "Storm warning rota: what worked over the weekend",
        "Amber wind warning Saturday to Monday. We ran a 3-person rota with 4-hour shifts and "
        "a shared doc of approved lines. Road closures came from highways by phone; next time "
        "we'll ask for a shared spreadsheet instead.",
        3,
        ["crisis-comms", "rota"],
        replies=[("david.kim", "The approved lines doc saved me at 2am. Thank you.", 6)],
    ),
    DemoThread(
        "housing-digital",
        "arjun.patel",
        "failure",
        "Tenant newsletter open rate dropped from 41% to 19%",
        "Since we moved to the new email platform the open rate has halved. Click-through is "
        "about the same, so people who open it still engage.",
        6,
        ["email", "newsletter", "analytics"],
        replies=[
            (
                "omar.haddad",
                "Apple Mail privacy changes can inflate or deflate opens. Did the "
                "new platform change how it counts?",
                3,
            ),
            (
                "tom.hughes",
                'Also check the sender name: ours changed from "Your Housing '
                'Team" to a no-reply address in the migration.',
                5,
            ),
        ],
    ),
    DemoThread(
        "parks-digital",
        "chloe.wright",
        "question",
        "Photo permissions for children at events",
        "At the summer fun days we take lots of photos. What's the right way to get consent "
        "for children appearing in posts?",
        10,
        ["photography", "consent", "events"],
        replies=[
            (
                "grace.lee",
                "Use the consent form on the intranet (parent or guardian signs). "
                "Children without a form: only photos where they can't be identified, e.g. from "
                "behind. Never name a child in a caption.",
                2,
            ),
            ("chloe.wright", "Thanks Grace, I'll print a stack for the next event.", 4),
        ],
        solution=(0, "chloe.wright"),
    ),
]
