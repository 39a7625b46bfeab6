import t from 'tap'
import { MediaBucket } from '../../src/resources/media/s3-store.js'
import { mediaStoreContract } from '../media-store-contract.js'
import { freshMediaBucket } from '../s3.js'

// A bucket of a real S3-compatible server keeps the store's contract (test/media-store-contract.ts).

mediaStoreContract(t, async (t) => {
  const bucket = new MediaBucket(await freshMediaBucket(t))
  t.teardown(() => { bucket.close() })
  return bucket
})

t.test('a bucket that is not there, or an endpoint that does not answer, fails verify with the reason', async (t) => {
  const location = await freshMediaBucket(t)
  const missing = new MediaBucket({ ...location, bucket: 'dateline-no-such-bucket' })
  t.teardown(() => { missing.close() })
  await t.rejects(missing.verify(), /cannot use the media bucket s3:\/\/dateline-no-such-bucket\/.* there is no such bucket/)
})
