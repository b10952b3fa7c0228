import { Etcd3 } from 'etcd3';
import { LeaseRenewer } from '/work/wt-16/dist/runtime/fleet/lease-renewer.js';
import { monotonicMs } from '/work/wt-16/dist/runtime/fleet/monotonic.js';
const c = new Etcd3({ hosts: 'http://127.0.0.1:46476' });
const lease = c.lease(3, { autoKeepAlive: false });
const t0 = monotonicMs();
new LeaseRenewer(lease, 3000, { renewed: (u) => console.log('renewed', monotonicMs() - t0, 'until', u - t0), failed: (e) => console.log('failed', monotonicMs()-t0, e.message), lost: (e) => console.log('lost', e.message) });
setTimeout(() => process.exit(0), 5000);
