import sharp from 'sharp';
import exif from 'exif-reader';
const frames = await Promise.all(Array.from({length: 50}, (_, i) => sharp({create:{width:400,height:300,channels:3,background:{r:i*5,g:0,b:255-i*5}}}).png().toBuffer()));
let t=Date.now();
const gif = await sharp(frames, { join: { animated: true } }).gif().toBuffer();
console.log('gif', gif.length, Date.now()-t);
const m = await sharp(gif).metadata(); console.log(m.format, m.width, m.height, m.pages, m.pageHeight);
const m1 = await sharp(gif, {pages:1}).metadata(); console.log('pages1', m1.width, m1.height, m1.pages, m1.pageHeight);
t=Date.now(); const r = await sharp(gif, {pages:1}).resize(320,320,{fit:'inside'}).webp().toBuffer({resolveWithObject:true}); console.log(r.info, Date.now()-t);
const rm = await sharp(r.data).metadata(); console.log('out pages', rm.pages);
// exif GPS
const src = await sharp({create:{width:64,height:48,channels:3,background:'#808080'}}).jpeg().withExif({
  IFD0: { Make: 'TestCam  ', Model: 'Model\u0000X', Orientation: '6' },
  IFD2: { DateTimeOriginal: '2024:05:06 07:08:09', OffsetTimeOriginal: '-03:30', FNumber: '28/10', ExposureTime: '1/250', ISOSpeedRatings: '200', FocalLength: '50/1', LensModel: 'Lens 50mm' },
  IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '33/1 52/1 1200/100', GPSLongitudeRef: 'W', GPSLongitude: '151/1 12/1 3000/100', GPSAltitudeRef: '1', GPSAltitude: '25/1' },
}).toBuffer();
const sm = await sharp(src).metadata(); console.log('orientation', sm.orientation, sm.autoOrient);
console.log(JSON.stringify(exif(sm.exif), (k, v) => (v && v.type === 'Buffer') ? `<buf ${Buffer.from(v.data).toString('latin1')}>` : v));
