import t from 'tap'
import { dayInZone } from '../../src/lib/time.js'

// Days are stored as `YYYY-MM-DD` text and compared as text: every year has four digits.

t.test('the day a time falls on, in UTC and in other zones', async (t) => {
  t.equal(dayInZone('2024-02-29T23:30:00.000Z', 'UTC'), '2024-02-29')
  t.equal(dayInZone('2024-02-29T23:30:00.000Z', 'Europe/Paris'), '2024-03-01', 'past midnight in Paris')
  t.equal(dayInZone('2024-03-01T03:00:00.000Z', 'America/New_York'), '2024-02-29', 'still the evening before in New York')
})

t.test('years before 1000 keep their leading zeros in every zone', async (t) => {
  t.equal(dayInZone('0999-05-02T12:00:00.000Z', 'UTC'), '0999-05-02')
  t.equal(dayInZone('0999-05-02T23:59:59.999Z', 'Europe/Paris'), '0999-05-03')
  t.equal(dayInZone('0042-07-01T12:00:00.000Z', 'Asia/Tokyo'), '0042-07-01')
})
