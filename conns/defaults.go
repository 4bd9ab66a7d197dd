package conns

// Reserve is the descriptors kept back from connections for everything
// else the process opens: the database, its logs, uploads being written,
// outgoing mail, and the accept that finds the cap full.
const Reserve = 128

// MaxFor is a total cap that a limit of nofile open files can carry:
// every connection may be a download, which holds its socket and the
// file it sends, so each counts twice. 0 (unknown limit) gives 0, no cap.
func MaxFor(nofile uint64) int {
	if nofile == 0 {
		return 0
	}
	if nofile <= 2*Reserve {
		return max(16, int(nofile)/4)
	}
	return int(min(nofile-Reserve, 1<<30) / 2)
}
