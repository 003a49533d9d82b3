import sharp from 'sharp';
import exif from 'exif-reader';
for (const ref of ['1', '1 ', 'Below sea level', '0x01', '\u0001']) {
const src = await sharp({create:{width:64,height:48,channels:3,background:'#808080'}}).jpeg().withExif({
  IFD3: { GPSAltitudeRef: ref, GPSAltitude: '25/1' },
}).withMetadata({orientation: 6}).toBuffer();
const sm = await sharp(src).metadata();
const e = exif(sm.exif);
console.log(JSON.stringify(ref), sm.orientation, e.GPSInfo, e.Image.Orientation);
}
