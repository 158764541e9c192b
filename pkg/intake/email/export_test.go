package email

// RawBytesLent returns how many bytes of fetched mail p holds in memory
// for its takers: none once a drain is over, whatever happened in it.
func RawBytesLent(p *Poller) int64 { return p.rawBuffers.inUse.Load() }

// KeepNoRawInMemory makes p read every mail back from the blob store.
func KeepNoRawInMemory(p *Poller) { p.rawBuffers.budget = 0 }
