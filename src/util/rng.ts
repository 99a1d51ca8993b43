// Temporary forwarder while the shared utility floor moves Rng here (issue 17).
export { Rng } from '../physics/rng.ts';
