package demo

import (
	"encoding/binary"
	"image"
	"math/bits"
)

// This file writes the demo lecture's video without any codec library: an
// H.264 Constrained Baseline stream in an MP4 file. Every coded macroblock
// is I_PCM — its samples stored as they are, no transform, no prediction
// and no entropy tables — so the encoder is short and exact. A frame that
// changes a lot is an IDR picture of I_PCM macroblocks; any other frame is
// a P picture that codes only the macroblocks that changed and skips the
// rest (P_Skip copies them from the previous frame). Slides stay put for
// seconds, so the file stays small. Browsers decode it like any other
// H.264 video.

// bitWriter writes an H.264 RBSP bit by bit, most significant bit first.
type bitWriter struct {
	buf []byte
	cur byte
	n   uint // bits in cur
}

func (w *bitWriter) bit(b uint) {
	w.cur = w.cur<<1 | byte(b&1)
	w.n++
	if w.n == 8 {
		w.buf = append(w.buf, w.cur)
		w.cur, w.n = 0, 0
	}
}

func (w *bitWriter) bits(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		w.bit(uint(v >> uint(i)))
	}
}

// ue writes an unsigned Exp-Golomb code.
func (w *bitWriter) ue(v uint) {
	x := uint64(v) + 1
	n := bits.Len64(x)
	w.bits(0, n-1)
	w.bits(x, n)
}

// se writes a signed Exp-Golomb code.
func (w *bitWriter) se(v int) {
	if v > 0 {
		w.ue(uint(2*v - 1))
	} else {
		w.ue(uint(-2 * v))
	}
}

// align writes zero bits up to the next byte boundary.
func (w *bitWriter) align() {
	for w.n != 0 {
		w.bit(0)
	}
}

// byteAligned appends whole bytes; the writer must be aligned.
func (w *bitWriter) byteAligned(b []byte) { w.buf = append(w.buf, b...) }

// trailing writes rbsp_trailing_bits and returns the RBSP.
func (w *bitWriter) trailing() []byte {
	w.bit(1)
	w.align()
	return w.buf
}

// nalUnit wraps an RBSP in a NAL unit header and inserts emulation
// prevention bytes, so that no start code appears inside it.
func nalUnit(refIdc, typ byte, rbsp []byte) []byte {
	out := make([]byte, 0, len(rbsp)+len(rbsp)/64+1)
	out = append(out, refIdc<<5|typ)
	zeros := 0
	for _, b := range rbsp {
		if zeros >= 2 && b <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, b)
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// yuvFrame is a 4:2:0 picture in the limited (video) range, its size
// padded to whole macroblocks.
type yuvFrame struct {
	mbW, mbH  int
	y, cb, cr []byte
}

// toYUV converts an image (BT.601, limited range, as decoders assume
// without colour information). Samples stay in 16..240, so none is zero.
func toYUV(img *image.RGBA, mbW, mbH int) yuvFrame {
	w, h := mbW*16, mbH*16
	f := yuvFrame{mbW: mbW, mbH: mbH, y: make([]byte, w*h), cb: make([]byte, w*h/4), cr: make([]byte, w*h/4)}
	b := img.Bounds()
	at := func(x, y int) (r, g, bl float64) {
		x, y = min(x, b.Dx()-1), min(y, b.Dy()-1)
		c := img.RGBAAt(b.Min.X+x, b.Min.Y+y)
		return float64(c.R), float64(c.G), float64(c.B)
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl := at(x, y)
			f.y[y*w+x] = clampByte(16 + (65.481*r+128.553*g+24.966*bl)/255)
		}
	}
	for y := 0; y < h/2; y++ {
		for x := 0; x < w/2; x++ {
			var r, g, bl float64
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				rr, gg, bb := at(2*x+d[0], 2*y+d[1])
				r, g, bl = r+rr/4, g+gg/4, bl+bb/4
			}
			f.cb[y*w/2+x] = clampByte(128 + (-37.797*r-74.203*g+112.0*bl)/255)
			f.cr[y*w/2+x] = clampByte(128 + (112.0*r-93.786*g-18.214*bl)/255)
		}
	}
	return f
}

func clampByte(v float64) byte {
	return byte(min(240, max(16, v+0.5)))
}

// mbEqual reports whether macroblock (mx, my) is the same in both frames.
func (f yuvFrame) mbEqual(o yuvFrame, mx, my int) bool {
	w := f.mbW * 16
	for y := my * 16; y < my*16+16; y++ {
		if string(f.y[y*w+mx*16:y*w+mx*16+16]) != string(o.y[y*w+mx*16:y*w+mx*16+16]) {
			return false
		}
	}
	for y := my * 8; y < my*8+8; y++ {
		i := y*w/2 + mx*8
		if string(f.cb[i:i+8]) != string(o.cb[i:i+8]) || string(f.cr[i:i+8]) != string(o.cr[i:i+8]) {
			return false
		}
	}
	return true
}

// pcm writes macroblock (mx, my) as I_PCM samples (the writer is aligned).
func (f yuvFrame) pcm(w *bitWriter, mx, my int) {
	width := f.mbW * 16
	for y := my * 16; y < my*16+16; y++ {
		w.byteAligned(f.y[y*width+mx*16 : y*width+mx*16+16])
	}
	for _, plane := range [][]byte{f.cb, f.cr} {
		for y := my * 8; y < my*8+8; y++ {
			i := y*width/2 + mx*8
			w.byteAligned(plane[i : i+8])
		}
	}
}

// avcEncoder turns frames into H.264 access units (one slice each).
type avcEncoder struct {
	width, height int
	mbW, mbH      int
	frameNum      uint
	idrID         uint
	prev          *yuvFrame
}

const log2MaxFrameNum = 16

func newAVCEncoder(width, height int) *avcEncoder {
	return &avcEncoder{width: width, height: height, mbW: (width + 15) / 16, mbH: (height + 15) / 16}
}

// sps is the sequence parameter set: Constrained Baseline, level 3.0,
// picture order count type 2 (output order is decoding order), one
// reference frame, cropped from whole macroblocks to the real size.
func (e *avcEncoder) sps() []byte {
	var w bitWriter
	w.bits(66, 8)   // profile_idc: Baseline
	w.bits(0xC0, 8) // constraint_set0 and 1: Constrained Baseline
	w.bits(30, 8)   // level_idc 3.0
	w.ue(0)         // seq_parameter_set_id
	w.ue(log2MaxFrameNum - 4)
	w.ue(2) // pic_order_cnt_type
	w.ue(1) // max_num_ref_frames
	w.bit(0)
	w.ue(uint(e.mbW - 1))
	w.ue(uint(e.mbH - 1))
	w.bit(1) // frame_mbs_only_flag
	w.bit(1) // direct_8x8_inference_flag
	cropR, cropB := (e.mbW*16-e.width)/2, (e.mbH*16-e.height)/2
	if cropR > 0 || cropB > 0 {
		w.bit(1)
		w.ue(0)
		w.ue(uint(cropR))
		w.ue(0)
		w.ue(uint(cropB))
	} else {
		w.bit(0)
	}
	w.bit(0) // no VUI
	return nalUnit(3, 7, w.trailing())
}

// pps is the picture parameter set: CAVLC, deblocking controllable from
// the slice header (and switched off there, so skipped blocks copy
// exactly).
func (e *avcEncoder) pps() []byte {
	var w bitWriter
	w.ue(0)  // pic_parameter_set_id
	w.ue(0)  // seq_parameter_set_id
	w.bit(0) // entropy_coding_mode_flag: CAVLC
	w.bit(0) // bottom_field_pic_order_in_frame_present_flag
	w.ue(0)  // num_slice_groups_minus1
	w.ue(0)  // num_ref_idx_l0_default_active_minus1
	w.ue(0)  // num_ref_idx_l1_default_active_minus1
	w.bit(0) // weighted_pred_flag
	w.bits(0, 2)
	w.se(0)  // pic_init_qp_minus26
	w.se(0)  // pic_init_qs_minus26
	w.se(0)  // chroma_qp_index_offset
	w.bit(1) // deblocking_filter_control_present_flag
	w.bit(0) // constrained_intra_pred_flag
	w.bit(0) // redundant_pic_cnt_present_flag
	return nalUnit(3, 8, w.trailing())
}

// encode codes one frame; key reports an IDR picture.
func (e *avcEncoder) encode(f yuvFrame) (nal []byte, key bool) {
	var changed []bool
	n := 0
	if e.prev != nil {
		changed = make([]bool, e.mbW*e.mbH)
		for my := 0; my < e.mbH; my++ {
			for mx := 0; mx < e.mbW; mx++ {
				if !f.mbEqual(*e.prev, mx, my) {
					changed[my*e.mbW+mx] = true
					n++
				}
			}
		}
	}
	// A new slide is cheaper and seekable as an IDR picture.
	key = e.prev == nil || n > e.mbW*e.mbH/3
	e.prev = &f
	var w bitWriter
	w.ue(0) // first_mb_in_slice
	if key {
		e.frameNum = 0
		w.ue(7) // slice_type: I (all slices)
		w.ue(0) // pic_parameter_set_id
		w.bits(0, log2MaxFrameNum)
		w.ue(e.idrID % 65536)
		e.idrID++
		w.bit(0) // no_output_of_prior_pics_flag
		w.bit(0) // long_term_reference_flag
		w.se(0)  // slice_qp_delta
		w.ue(1)  // disable_deblocking_filter_idc
		for my := 0; my < e.mbH; my++ {
			for mx := 0; mx < e.mbW; mx++ {
				w.ue(25) // mb_type I_PCM
				w.align()
				f.pcm(&w, mx, my)
			}
		}
		return nalUnit(3, 5, w.trailing()), true
	}
	e.frameNum = (e.frameNum + 1) % (1 << log2MaxFrameNum)
	w.ue(5) // slice_type: P (all slices)
	w.ue(0)
	w.bits(uint64(e.frameNum), log2MaxFrameNum)
	w.bit(0) // num_ref_idx_active_override_flag
	w.bit(0) // ref_pic_list_modification_flag_l0
	w.bit(0) // adaptive_ref_pic_marking_mode_flag
	w.se(0)
	w.ue(1)
	skip := uint(0)
	for i, c := range changed {
		if !c {
			skip++
			continue
		}
		w.ue(skip) // mb_skip_run
		skip = 0
		w.ue(5 + 25) // mb_type: I_PCM in a P slice
		w.align()
		f.pcm(&w, i%e.mbW, i/e.mbW)
	}
	if skip > 0 {
		w.ue(skip)
	}
	return nalUnit(2, 1, w.trailing()), false
}

// ---- MP4 (ISO base media file format) ----

func box(typ string, parts ...[]byte) []byte {
	n := 8
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	out = binary.BigEndian.AppendUint32(out, uint32(n))
	out = append(out, typ...)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func u8(v uint8) []byte   { return []byte{v} }
func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// fullBox is a box with version 0 and the given flags.
func fullBox(typ string, flags uint32, parts ...[]byte) []byte {
	return box(typ, append([][]byte{u32(flags & 0xFFFFFF)}, parts...)...)
}

var unityMatrix = func() []byte {
	var m []byte
	for _, v := range []uint32{0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000} {
		m = append(m, u32(v)...)
	}
	return m
}()

// mp4Video muxes H.264 access units, each lasting frameMs milliseconds,
// into an MP4 file with the index (moov) before the data, so that a
// browser can start playing before it has everything.
func mp4Video(width, height int, sps, pps []byte, samples [][]byte, keys []bool, frameMs uint32) []byte {
	const timescale = 1000
	duration := uint32(len(samples)) * frameMs
	var sizes, sync []byte
	nsync := 0
	for i, s := range samples {
		sizes = append(sizes, u32(uint32(len(s)+4))...)
		if keys[i] {
			sync = append(sync, u32(uint32(i+1))...)
			nsync++
		}
	}
	avcC := box("avcC", u8(1), u8(sps[1]), u8(sps[2]), u8(sps[3]), u8(0xFF), u8(0xE1),
		u16(uint16(len(sps))), sps, u8(1), u16(uint16(len(pps))), pps)
	avc1 := box("avc1", make([]byte, 6), u16(1), make([]byte, 16), u16(uint16(width)), u16(uint16(height)),
		u32(0x00480000), u32(0x00480000), u32(0), u16(1), make([]byte, 32), u16(0x18), u16(0xFFFF), avcC)
	stbl := func(chunkOffset uint32) []byte {
		return box("stbl",
			fullBox("stsd", 0, u32(1), avc1),
			fullBox("stts", 0, u32(1), u32(uint32(len(samples))), u32(frameMs)),
			fullBox("stss", 0, u32(uint32(nsync)), sync),
			fullBox("stsc", 0, u32(1), u32(1), u32(uint32(len(samples))), u32(1)),
			fullBox("stsz", 0, u32(0), u32(uint32(len(samples))), sizes),
			fullBox("stco", 0, u32(1), u32(chunkOffset)))
	}
	moov := func(chunkOffset uint32) []byte {
		return box("moov",
			fullBox("mvhd", 0, u32(0), u32(0), u32(timescale), u32(duration), u32(0x10000), u16(0x100),
				make([]byte, 10), unityMatrix, make([]byte, 24), u32(2)),
			box("trak",
				fullBox("tkhd", 3, u32(0), u32(0), u32(1), u32(0), u32(duration), make([]byte, 8),
					u16(0), u16(0), u16(0), u16(0), unityMatrix, u32(uint32(width)<<16), u32(uint32(height)<<16)),
				box("mdia",
					fullBox("mdhd", 0, u32(0), u32(0), u32(timescale), u32(duration), u16(0x55C4), u16(0)),
					fullBox("hdlr", 0, u32(0), []byte("vide"), make([]byte, 12), []byte("Pacer demo lecture\x00")),
					box("minf",
						fullBox("vmhd", 1, make([]byte, 8)),
						box("dinf", fullBox("dref", 0, u32(1), fullBox("url ", 1))),
						stbl(chunkOffset)))))
	}
	ftyp := box("ftyp", []byte("isom"), u32(0x200), []byte("isomiso2avc1mp41"))
	// The chunk offset depends on moov's size, which does not depend on it.
	offset := uint32(len(ftyp) + len(moov(0)) + 8)
	var data []byte
	for _, s := range samples {
		data = append(data, u32(uint32(len(s)))...)
		data = append(data, s...)
	}
	out := append(ftyp, moov(offset)...)
	return append(out, box("mdat", data)...)
}
