package media_test

import (
	"testing"

	"pacer/media"
	"pacer/media/blobstest"
)

func TestFilesKeepTheBlobContract(t *testing.T) {
	blobstest.Run(t, func(t *testing.T) media.Blobs {
		f, err := media.OpenFiles(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return f
	})
}
