// Demo content for Dateline: a small local news blog for the invented river
// town of Kestermouth, on the (equally invented) River Vell. All people,
// places, businesses and events are fictional.

export interface DemoAuthor {
  slug: string // lower-case kebab, e.g. 'maria-okafor'
  name: string
  bio: string // 1–2 sentences
  url: string | null // an https URL on example.org/example.com/example.net only, or null
  email: string // on example.org, example.com or example.net only
}

export interface DemoArticle {
  title: string
  author: string // slug of one of demoAuthors
  status: 'draft' | 'scheduled' | 'published'
  publishedAt: string | null // published: ISO 8601 UTC timestamp; draft and scheduled: null
  labels: string[] // 1–3 labels each
  markdown: string // the article body in Markdown
  excerpt?: string // hand-written teaser (only on a couple of articles)
  seo?: { title: string, description: string } // search metadata (only on the footbridge study)
}

export const demoAuthors: DemoAuthor[] = [
  {
    slug: 'zoe-lindqvist',
    name: 'Zoë Lindqvist',
    bio: 'Zoë covers the river, the weather and the council chamber, usually in that order. She grew up on Wharf Close and still keeps a pair of wellies by the front door.',
    url: 'https://example.org/authors/zoe-lindqvist',
    email: 'zoe.lindqvist@example.org',
  },
  {
    slug: 'tomas-brennan',
    name: 'Tomas Brennan',
    bio: 'Tomas writes about transport, local politics and youth sport. Before joining the blog he spent six years driving the route 7 bus.',
    url: null,
    email: 'tomas.brennan@example.com',
  },
  {
    slug: 'amara-whitcombe',
    name: 'Amara Whitcombe',
    bio: 'Amara looks after the culture and business pages and the weekly what’s-on listings. She is always glad to hear about new shops, events and local characters.',
    url: 'https://example.net/amara-whitcombe',
    email: 'amara.whitcombe@example.net',
  },
]

export const demoArticles: DemoArticle[] = [
  // ── Wednesday 3 June 2026 ────────────────────────────────────────────────
  {
    title: 'River Vell rises to its highest June level in a decade',
    author: 'zoe-lindqvist',
    status: 'published',
    publishedAt: '2026-06-03T07:15:00.000Z',
    labels: ['Weather', 'Local news'],
    markdown: `The River Vell reached 3.4 metres at the Harbour Bridge gauge early on Wednesday morning, its highest June reading in more than ten years, after almost three days of steady rain across the upper valley.

No homes were flooded overnight, but the towpath between the old ferry steps and Mill Lane was closed at 5 a.m. and will stay shut at least until the water drops below the 2.8-metre mark. Council staff placed barriers at both ends and asked walkers and cyclists to use Tanner's Row instead.

![The flood gauge at Harbour Bridge on Wednesday morning, with the water close to the amber band](https://example.org/images/flood-gauge.jpg)

## What happens next

The river authority expects the level to peak around midday and then fall slowly through Thursday, provided the forecast dry spell holds. Sandbags remain available from the depot behind the fire station for anyone living on **Lower Quay** or **Wharf Close**, the two streets that flooded in the winter of 2019.

Residents can follow the gauge readings, which are updated every fifteen minutes, on the [river levels page](https://example.org/kestermouth/river-levels). The council also asks people _not_ to drive through standing water on the riverside car park, which has already caught out two delivery vans this week.`,
  },
  {
    title: 'Council approves study into a footbridge at the old ferry crossing',
    author: 'tomas-brennan',
    status: 'published',
    publishedAt: '2026-06-03T16:40:00.000Z',
    labels: ['City council', 'Transport'],
    seo: {
      title: 'Footbridge study approved for the old ferry crossing',
      description: 'Kestermouth will spend £48,000 finding out whether a pedestrian and cycle bridge can cross the Vell where the ferry ran.'
    },
    markdown: `Kestermouth City Council has agreed to spend £48,000 on a feasibility study for a pedestrian and cycle bridge at the site of the old ferry crossing, more than thirty years after the last boat stopped running.

Councillors voted nine to three on Tuesday evening after a debate that ran well past its scheduled hour. Supporters argued that a crossing would cut the walk from the east bank to the railway station from around forty minutes to ten, while opponents questioned whether the money would be better spent fixing the pavements people already use.

The study will look at three possible designs, estimate their costs and assess the effect on river traffic and on the kingfishers that nest below the old ferry steps. The full committee paper is available on the [council's website](https://example.org/kestermouth/council/footbridge-study), and the public will be able to comment once a consultant has been appointed.

"This is a first step, not a promise," said the council's transport lead, **Councillor Ruth Adebayo-Kerr**. "But it is the first time in a generation that anyone has put real money on the table to find out whether a bridge can work."

A report is expected back before the end of the year. If the council decides to go ahead, construction would depend on winning regional funding, and the earliest realistic opening date would be _2029_.`,
  },

  // ── Monday 8 June 2026 ───────────────────────────────────────────────────
  {
    title: 'Bakers & "makers" fair returns to Quay Street',
    author: 'amara-whitcombe',
    status: 'published',
    publishedAt: '2026-06-08T11:05:00.000Z',
    labels: ['Culture', 'Business'],
    excerpt: 'Forty stalls, a free repair table and plenty of sourdough: the Quay Street fair is back after a year away.',
    markdown: `After a year away while the cobbles were relaid, the Bakers & Makers Fair is back on Quay Street this Saturday, with more than forty stalls stretching from the harbour steps to the corner of Tanner's Row.

Organisers say this year's line-up is the biggest yet, and for the first time there will be a covered area for live demonstrations. Highlights include:

- sourdough and rye loaves from three of the town's independent bakeries
- hand-thrown pottery and woven baskets from the Riverside Studios collective
- a children's corner where young visitors can decorate their own biscuits
- a repair table where volunteers will mend small electrical items and clothing for free

> "We nearly gave up after last year, but so many people stopped me in the street to ask when it was coming back that we simply had to do it," said organiser Hannah Pell, who runs a small bakery on Mill Lane.

The fair runs from **9 a.m. to 4 p.m.**, and Quay Street will be closed to traffic for the day. Visitors are encouraged to walk or cycle, as the harbour car park is expected to fill up early. A full list of stallholders is on the [fair's page](https://example.org/events/bakers-and-makers).

Any money left over from stall fees after costs will go to the Kestermouth lifeboat station, as in previous years.`,
  },

  // ── Friday 12 June 2026 ──────────────────────────────────────────────────
  {
    title: 'Bus route 7 to run every 20 minutes from July',
    author: 'tomas-brennan',
    status: 'published',
    publishedAt: '2026-06-12T06:50:00.000Z',
    labels: ['Transport'],
    markdown: `Route 7, which links the railway station with the hospital and the estates on the east bank, will run every twenty minutes on weekdays from 6 July, up from every half hour.

The change follows a survey in the spring in which more than 600 passengers said overcrowding at peak times was their biggest complaint. The operator will add two buses to the route and extend evening services, so that the last departure from the station leaves at 11:10 p.m. instead of 10:15 p.m.

## What changes on 6 July

1. Weekday buses every 20 minutes between 7 a.m. and 7 p.m.
2. A new stop outside the health centre on Fennel Road.
3. Later last buses from the station on Fridays and Saturdays.
4. Sunday services unchanged, running once an hour.

The Saturday daytime timetable will stay largely the same for now, though the operator said it would review it in the autumn. Printed timetables will be available at the library and the station from next week, and the new times are already online on the [route 7 timetable page](https://example.org/transport/route-7).

Dev Marchetti, who takes the bus to his early shift at the hospital most mornings, said the extra services were _long overdue_ but very welcome.`,
  },
  {
    title: 'Kestermouth Rowing Club wins the Vell Cup for the first time since 2009',
    author: 'zoe-lindqvist',
    status: 'published',
    publishedAt: '2026-06-12T13:20:00.000Z',
    labels: ['Sport'],
    markdown: `Kestermouth Rowing Club lifted the Vell Cup on Thursday evening for the first time since 2009, with its mixed eight finishing almost two lengths clear of crews from Brackendale and Upper Senning.

The race covers two kilometres from the weir down to Harbour Bridge, and the high water earlier in the month had left organisers unsure whether it would go ahead at all. In the end the river settled just in time, and a steady tailwind made for one of the fastest finishes in recent memory.

Coach Ines Caldwell said the crew had been training at six in the morning, three days a week, since February. "Half of them had never sat in a boat two years ago," she said. "They have earned every bit of this."

The club is now looking for new members of all ages, and says no experience is needed. Taster sessions take place on **Sunday mornings** throughout July, and the boathouse will stay open afterwards for anyone who wants to find out more.

The cup itself, a dented silver trophy first presented in 1921, will be on display in the window of the town hall for the rest of the summer.`,
  },
  {
    title: 'Café Lantern reopens in the restored lock-keeper’s cottage',
    author: 'amara-whitcombe',
    status: 'published',
    publishedAt: '2026-06-12T19:45:00.000Z',
    labels: ['Business', 'Culture'],
    markdown: `After two years of scaffolding and dust sheets, the old lock-keeper's cottage at Senning Lock has reopened as _Café Lantern_, a small café with twelve tables, a garden on the water's edge and a menu built around bakers and growers from the valley.

The building, which dates from the 1840s, had stood empty since the lock was automated in the 1990s. Owners Jonah and Mira Osei bought it at auction in 2024 and spent most of their savings on repairs, including a new slate roof and the careful rebuilding of a chimney that had begun to lean towards the river.

> "Everyone told us we were mad, and some days we thought so too. But the first time we lit the stove and the whole room smelled of woodsmoke, we knew it was worth it," said Mira Osei.

Inside, the original flagstone floor has been kept, along with the lock-keeper's tide board, which now hangs above the counter. Old photographs lent by local families line the walls, showing the lock in its busiest years, when barges queued downstream to pass through.

The café is open from **8 a.m. to 5 p.m.**, Wednesday to Sunday. Walkers on the towpath can reach it from either direction, and there is a small bike rack by the gate.`,
  },

  // ── Wednesday 17 June 2026 ───────────────────────────────────────────────
  {
    title: 'Council budget: what the new parking charges mean for you',
    author: 'tomas-brennan',
    status: 'published',
    publishedAt: '2026-06-17T09:30:00.000Z',
    labels: ['City council', 'Transport'],
    markdown: `Parking charges in Kestermouth's town-centre car parks will rise from 1 August, after the city council approved its revised budget on Tuesday night. The changes are expected to bring in around £210,000 a year, which the council says will go towards road repairs and the bus network.

## The main changes

- One hour in the harbour car park rises from £1.20 to £1.50.
- The all-day rate at Station Road goes up from £5 to £6.
- Evening parking after 6 p.m. stays free in every council car park.
- Residents' permits rise by £10 a year, the first increase since 2021.

Blue badge holders will continue to park free of charge, and the first thirty minutes at the Market Square car park will remain free to help people making short visits to the shops.

## Why now?

Council finance lead Owen Sadler said the authority faced a gap of almost £1 million after rises in energy and staffing costs. "Nobody likes paying more to park," he told the meeting, "but the alternative was cutting services that people rely on every day."

Opposition councillors argued that higher charges would push shoppers towards out-of-town retail parks. Traders on Quay Street have asked for a review after six months, and the council has agreed to publish monthly figures on car park use on its [open data page](https://example.org/kestermouth/open-data/parking).`,
  },
  {
    title: 'Thunderstorms bring brief power cuts to the east bank',
    author: 'zoe-lindqvist',
    status: 'published',
    publishedAt: '2026-06-17T21:10:00.000Z',
    labels: ['Weather', 'Local news'],
    markdown: `A band of thunderstorms swept across Kestermouth on Wednesday afternoon, bringing hail, gusts of up to 50 miles an hour and power cuts to around 900 homes on the east bank.

The worst of the storm arrived shortly after 3 p.m. A lightning strike on a substation near Eastholme Park cut the power to several streets for just over an hour, and the traffic lights at the Fennel Road junction were out of action until early evening.

Fire crews were called to a fallen tree on Orchard Walk, which blocked the road but caused no injuries. Several gardens along the river reported hail damage to greenhouses and vegetable beds, and the primary school on Birch Lane sent pupils home slightly early after rain came through the roof of its sports hall.

> "It went as dark as night in about five minutes. The hail was the size of peas and it was bouncing off the pavement," said Eastholme resident Gwen Tilley, who was out walking her dog when the storm broke.

Forecasters expect a calmer end to the week, with sunshine and temperatures in the low twenties. Anyone who spots damaged power lines should stay well clear and report them straight away using the number on the [network operator's fault page](https://example.org/power/report-a-fault).`,
  },

  // ── Sunday 21 June 2026 ──────────────────────────────────────────────────
  {
    title: 'Midsummer lantern walk draws a record crowd along the towpath',
    author: 'amara-whitcombe',
    status: 'published',
    publishedAt: '2026-06-21T10:00:00.000Z',
    labels: ['Culture', 'Local news'],
    markdown: `An estimated 3,000 people joined the midsummer lantern walk on Saturday night, the largest crowd since the event began eleven years ago.

Walkers gathered at the harbour steps at dusk and followed the towpath upstream to Senning Lock, carrying paper lanterns made at workshops in the library and local schools over the past month. Many were shaped like fish, boats and herons, and pupils from the primary school on Birch Lane carried a six-metre dragon made from willow and tissue paper.

> "My daughter has talked about nothing else for weeks. Seeing the whole river lit up like that, I could not stop smiling," said Ashby Road resident Priya Nandakumar.

Volunteers from the rowing club and the lifeboat station kept watch along the water's edge, and the evening passed without any incidents. The only hiccup came when a brass band's music stand blew into the river near the lock and was fished out by a quick-thinking kayaker, to loud applause.

Organisers thanked everyone who helped and asked walkers to bring back their lantern frames, which will be stored and reused next year. Photographs from the evening can be shared on the [community gallery](https://example.org/community/lantern-walk-2026).`,
  },

  // ── Wednesday 24 June 2026 ───────────────────────────────────────────────
  {
    title: 'Youth football league adds a girls’ under-12 division',
    author: 'tomas-brennan',
    status: 'published',
    publishedAt: '2026-06-24T08:25:00.000Z',
    labels: ['Sport'],
    markdown: `The Kestermouth and District Youth Football League will run a girls' under-12 division for the first time next season, after a rush of new players joined local clubs over the past year.

Six teams have already signed up, including two from the east bank and one from the village of Upper Senning, which has never had a girls' side before. Matches will be played on Sunday mornings at the Riverside playing fields, with the season starting in September.

League secretary Callum Forde said interest had grown so quickly that some clubs had started waiting lists. "We had girls turning up to training with their brothers and ending up in the boys' teams because there was nowhere else for them to play," he said. "Now they will have a league of their own."

The league is looking for **volunteer referees and coaches** for the new division, and will pay for the training courses of anyone who signs up before the end of July. Clubs are also collecting spare boots and shin pads for players whose families cannot afford new kit.`,
  },
  {
    title: 'Library extends opening hours through the summer holidays',
    author: 'amara-whitcombe',
    status: 'published',
    publishedAt: '2026-06-24T15:55:00.000Z',
    labels: ['Local news', 'Culture'],
    markdown: `Kestermouth Library will stay open until 8 p.m. on weekdays during the school summer holidays, giving families and students more time to use the building, its computers and its quiet study rooms.

The extended hours run from 20 July to 4 September. The library will also open on Sunday afternoons for the first time, from 1 p.m. to 5 p.m., with staff and volunteers running a programme of free activities:

- a summer reading challenge for children aged four to eleven
- weekly "bring your device" help sessions for older residents
- board game afternoons in the community room
- a talk on the history of the old ferry crossing by the Kestermouth Heritage Society

Librarian Sophie Arden said the longer hours were paid for by a one-off grant and by savings from new energy-efficient lighting. "Last summer we had people queuing outside at opening time and then being asked to leave in the middle of something. This gives everyone a bit more breathing room," she said.

Membership is free, and anyone who lives, works or studies in the town can join at the front desk or online through the [library catalogue](https://example.org/kestermouth/library/join).`,
  },
  {
    // Published at 23:30 UTC on 24 June, i.e. 01:30 on 25 June in Europe/Berlin.
    title: 'Late-night vote keeps the riverside market open on Sundays',
    author: 'zoe-lindqvist',
    status: 'published',
    publishedAt: '2026-06-24T23:30:00.000Z',
    labels: ['City council', 'Business'],
    excerpt: 'After nearly five hours of debate, councillors threw out a plan to end Sunday trading at the riverside market.',
    markdown: `After a meeting that ran for almost five hours, Kestermouth City Council voted late on Wednesday night to let the riverside market keep trading on Sundays, rejecting a proposal to limit it to Saturdays only.

The proposal came from a review of street trading, which found that Sunday stalls cost more to manage because of extra cleaning and staff overtime. Officers suggested the savings could help balance this year's budget, but councillors were unconvinced and voted eleven to one to keep the current arrangement for at least another two years.

More than twenty traders and regular shoppers packed the public gallery, and several spoke during the meeting. Fishmonger Alan Brae told councillors that Sunday was his busiest day of the week. "Take it away and I would have to think hard about whether to carry on at all," he said.

## What the council agreed

The market will continue to run from **8 a.m. to 2 p.m.** every Sunday. In return, traders have agreed to take on some of the cleaning themselves and to trial reusable crates in place of cardboard boxes. Officers will report back on the costs next spring.

A full recording of the meeting is available in the [council's video archive](https://example.org/kestermouth/council/meetings/2026-06-24) for anyone who wants to watch it, though they may want to set aside an evening to do so.`,
  },

  // ── Not yet published ────────────────────────────────────────────────────
  {
    title: 'Harbour Bridge resurfacing to close one lane until October',
    author: 'tomas-brennan',
    status: 'draft',
    publishedAt: null,
    labels: ['Transport', 'Local news'],
    markdown: `Work to resurface Harbour Bridge will begin in late July and is expected to last around twelve weeks, with one lane closed throughout and temporary traffic lights at both ends.

The bridge carries almost all of the traffic between the town centre and the east bank, and its road surface has been patched repeatedly since the winter. Engineers say the deck underneath is sound, but the surface and the drainage channels along its edges need replacing before they start letting water into the structure.

The council says it has tried to keep disruption to a minimum:

- Work will pause for the regatta weekend and the August bank holiday.
- The pavement on the downstream side will stay open to pedestrians at all times.
- Route 7 buses will be given priority at the temporary lights.

Drivers are advised to allow extra time at peak hours, particularly between 7:30 and 9 a.m. Cyclists can dismount and use the downstream pavement, or take the longer route over the weir bridge at Senning Lock.

_Still to do: confirm the start date with the highways team and add a quote from the contractor._`,
  },
  {
    title: 'Regatta weekend preview: races, road closures and where to watch',
    author: 'amara-whitcombe',
    status: 'scheduled',
    publishedAt: null,
    labels: ['Sport', 'Culture'],
    markdown: `The Kestermouth Regatta returns next weekend, with more than ninety crews from across the region expected on the river for two days of racing, music and food stalls along the harbour.

Racing starts at 9 a.m. on Saturday with the junior sculls, and the highlight of the weekend, the invitation eights, takes place late on Sunday afternoon. The home crew that won the Vell Cup earlier this summer will be among the favourites.

## Where to watch

The best free viewing spots are along the towpath between the weir and Harbour Bridge, and on the grassy bank below the lifeboat station. A grandstand with seating for 400 will be set up beside the finish line, with tickets available from the [regatta website](https://example.org/regatta/tickets).

## Road closures

Quay Street and Wharf Close will be closed to traffic from 7 a.m. on Saturday until 9 p.m. on Sunday. Route 7 buses will be diverted along Tanner's Row, and extra bike racks will be put up at the harbour car park.

Organisers are still looking for volunteers to help with marshalling and litter picking. Anyone interested can sign up at the town hall information desk or by emailing **volunteers@example.org**.`,
  },
]

export interface DemoComment {
  /** Which article: an index into demoArticles. */
  article: number
  authorName: string
  authorEmail?: string
  body: string
  status: 'pending' | 'approved' | 'spam' | 'rejected'
  /** Index (into demoComments) of the comment this one answers. */
  replyTo?: number
  /** When it was posted: minutes after its article was published (a reply after what it answers). */
  minutesAfter: number
}

// Readers' comments: an approved thread three replies deep, a pending one, and one marked spam.
export const demoComments: DemoComment[] = [
  { article: 1, authorName: 'Hetty from Wharf Close', authorEmail: 'hetty@example.net', body: 'Finally! We have been asking for this since the old ferry stopped.', status: 'approved', minutesAfter: 42 },
  { article: 1, authorName: 'Dev Okonkwo', body: 'Does anyone know if the bridge will take bikes as well as walkers?', status: 'approved', replyTo: 0, minutesAfter: 95 },
  { article: 1, authorName: 'Hetty from Wharf Close', authorEmail: 'hetty@example.net', body: 'The plans at the library show a cycle lane on the south side.', status: 'approved', replyTo: 1, minutesAfter: 128 },
  { article: 1, authorName: 'Dev Okonkwo', body: 'Thanks, Hetty. I will go and have a look on Saturday.', status: 'approved', replyTo: 2, minutesAfter: 176 },
  { article: 1, authorName: 'R. Pym', body: 'Another waste of council money, if you ask me.', status: 'pending', minutesAfter: 610 },
  { article: 11, authorName: 'Marguerite', body: 'Lovely to see the market busy again.', status: 'approved', minutesAfter: 545 },
  { article: 11, authorName: 'cheap-watches-online', body: 'Best prices on watches, click here!', status: 'spam', minutesAfter: 1210 }
]

export interface DemoCorrection {
  /** Which demoArticles entry it corrects. */
  article: number
  note: string
  /** When it was corrected: this many minutes after the article was published. */
  minutesAfter: number
}

/** A public correction, so that a corrections box has something to show. */
export const demoCorrections: DemoCorrection[] = [
  { article: 1, note: 'An earlier version of this article gave the footbridge\'s length as 140 metres. It is 104 metres.', minutesAfter: 24 * 60 }
]

export interface DemoDayNote {
  /** Which day: the day of this demoArticles entry, in the site time zone. */
  article: number
  note: string
}

export const demoDayNotes: DemoDayNote[] = [
  { article: 0, note: 'Flood warnings were in force along the Vell all day; several roads by the quay were closed until evening.' }
]

/** Slugs demo articles had before their headlines were rewritten: each answers 301 to the slug now. */
export const demoOldSlugs: Array<{ article: number, slug: string }> = [
  { article: 1, slug: 'council-to-study-footbridge' }
]

/**
 * An editor's redirect from the address a story had on the blog before it moved to Dateline,
 * to its path under that old slug: a lookup follows both to the article's path now.
 */
export const demoRedirects: Array<{ from: string, to: string }> = [
  { from: '/2025/06/footbridge-study.html', to: '/articles/council-to-study-footbridge' }
]

/** The Courier's static pages: `parent` is the slug of the page each sits under. */
export const demoPages: Array<{ title: string, slug: string, markdown: string, parent: string | null, position: number }> = [
  { title: 'About the Kestermouth Courier', slug: 'about', parent: null, position: 0, markdown: 'Who we are, who pays for us and how to reach the newsroom.' },
  { title: 'Masthead', slug: 'masthead', parent: 'about', position: 1, markdown: 'The people who report, edit and publish the Courier.' },
  { title: 'Corrections policy', slug: 'corrections-policy', parent: 'about', position: 2, markdown: 'When we get something wrong, we say so under the story, and list it at /corrections.' },
  { title: 'Contact', slug: 'contact', parent: null, position: 1, markdown: 'Tips, letters and corrections: write to the newsroom.' }
]
